package io.streamlip.trainer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face's): an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian tensors.
 *
 * <p>Reading is lazy and bounded: {@link #open} parses and checks the header only (at most {@value
 * #MAX_HEADER_BYTES} bytes, every range inside the file and of its shape's size, dtypes {@code
 * F32}, {@code F16} and {@code BF16}); {@link Reader#read} then reads one tensor as float32, so a
 * model larger than any Java array is read tensor by tensor. Writing ({@link #write}) produces
 * {@code F32} tensors in the order given. DJL's {@code NDList.decode} also reads the format, but
 * only from one in-memory buffer (a byte array: at most 2 GB, less than So400m in float32).
 */
public final class Safetensors {
    /** The largest header read; the format's own reader refuses more than 100 MB too. */
    public static final int MAX_HEADER_BYTES = 100 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** What the header says of one tensor. */
    public record Info(String name, String dtype, long[] shape, long begin, long end) {
        /** Elements of the tensor. */
        public long size() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape);
        }
    }

    /** A tensor to write: its shape and, asked once when its turn comes, its float32 values. */
    public record Entry(String name, long[] shape, Values values) {}

    /** Supplies a tensor's values when the writer reaches it. */
    @FunctionalInterface
    public interface Values {
        float[] get() throws IOException;
    }

    /** An open file whose header has been read and checked. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final Map<String, Info> tensors;

        private Reader(Path file, FileChannel channel, long dataStart, Map<String, Info> tensors) {
            this.file = file;
            this.channel = channel;
            this.dataStart = dataStart;
            this.tensors = tensors;
        }

        /** Every tensor, in the header's order. */
        public Map<String, Info> tensors() {
            return tensors;
        }

        /**
         * Tensor {@code name} as float32 values, row-major.
         *
         * @throws IllegalArgumentException when the file has no such tensor
         */
        public float[] read(String name) throws IOException {
            Info info = tensors.get(name);
            if (info == null) {
                throw new IllegalArgumentException(file + " holds no tensor " + name);
            }
            int n = Math.toIntExact(info.size());
            ByteBuffer bytes =
                    ByteBuffer.allocate(Math.toIntExact(info.end() - info.begin()))
                            .order(ByteOrder.LITTLE_ENDIAN);
            long position = dataStart + info.begin();
            while (bytes.hasRemaining()) {
                int read = channel.read(bytes, position + bytes.position());
                if (read < 0) {
                    throw new IOException(file + " ends inside tensor " + name);
                }
            }
            bytes.flip();
            float[] out = new float[n];
            switch (info.dtype()) {
                case "F32" -> bytes.asFloatBuffer().get(out);
                case "F16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = halfToFloat(bytes.getShort(2 * i));
                    }
                }
                case "BF16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.intBitsToFloat((bytes.getShort(2 * i) & 0xffff) << 16);
                    }
                }
                default -> throw new IllegalStateException("unchecked dtype " + info.dtype());
            }
            return out;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * Opens {@code file} and checks its header.
     *
     * @throws IOException naming the problem when the file is not a safetensors file this reader
     *     takes (header too long or not JSON, a range outside the data or not its shape's size, a
     *     dtype other than F32, F16 and BF16)
     */
    public static Reader open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long fileSize = channel.size();
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, length, 0, file);
            long headerLength = length.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
                throw new IOException(
                        file
                                + ": header length "
                                + headerLength
                                + " is not between 2 and "
                                + MAX_HEADER_BYTES
                                + " bytes (not a safetensors file?)");
            }
            if (8 + headerLength > fileSize) {
                throw new IOException(
                        file + ": header of " + headerLength + " bytes exceeds the file");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8, file);
            long dataStart = 8 + headerLength;
            Map<String, Info> tensors =
                    parseHeader(
                            new String(header.array(), StandardCharsets.UTF_8),
                            fileSize - dataStart,
                            file);
            return new Reader(file, channel, dataStart, tensors);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Map<String, Info> parseHeader(String text, long dataSize, Path file)
            throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw new IOException(file + ": the header is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": the header is not a JSON object");
        }
        Map<String, Info> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode t = field.getValue();
            String dtype = t.path("dtype").asText("");
            int width =
                    switch (dtype) {
                        case "F32" -> 4;
                        case "F16", "BF16" -> 2;
                        default ->
                                throw new IOException(
                                        file
                                                + ": tensor "
                                                + name
                                                + " has dtype '"
                                                + dtype
                                                + "'; only F32, F16 and BF16 are read");
                    };
            JsonNode shapeNode = t.path("shape");
            JsonNode offsets = t.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new IOException(file + ": tensor " + name + " lacks shape or data_offsets");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong(-1);
                if (!shapeNode.get(i).canConvertToLong() || shape[i] < 0) {
                    throw new IOException(file + ": tensor " + name + " has a bad shape");
                }
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            Info info = new Info(name, dtype, shape, begin, end);
            long size;
            try {
                size = info.size();
            } catch (ArithmeticException e) {
                throw new IOException(file + ": tensor " + name + " has an overflowing shape");
            }
            if (begin < 0 || end < begin || end > dataSize) {
                throw new IOException(
                        file
                                + ": tensor "
                                + name
                                + " lies outside the data ("
                                + begin
                                + ".."
                                + end
                                + " of "
                                + dataSize
                                + " bytes)");
            }
            if (end - begin != size * width) {
                throw new IOException(
                        file
                                + ": tensor "
                                + name
                                + " has "
                                + (end - begin)
                                + " bytes for "
                                + size
                                + " "
                                + dtype
                                + " values");
            }
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(
                        file + ": tensor " + name + " is larger than this reader takes");
            }
            out.put(name, info);
        }
        return out;
    }

    /** Writes {@code entries} as F32 tensors, in order, with {@code metadata} (may be empty). */
    public static void write(Path file, List<Entry> entries, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            long bytes = 4 * new Info(e.name(), "F32", e.shape(), 0, 0).size();
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        // Pad the header with spaces so the data starts 8-byte aligned, as the format's writer
        // does.
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(
                    ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(headerBytes.length)
                            .array());
            out.write(headerBytes);
            for (Entry e : entries) {
                float[] values = e.values().get();
                long expected = new Info(e.name(), "F32", e.shape(), 0, 0).size();
                if (values.length != expected) {
                    throw new IllegalArgumentException(
                            e.name()
                                    + " has "
                                    + values.length
                                    + " values for shape "
                                    + Arrays.toString(e.shape()));
                }
                ByteBuffer buffer =
                        ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                buffer.asFloatBuffer().put(values);
                out.write(buffer.array());
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file)
            throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException(file + " is too short for a safetensors file");
            }
        }
    }

    /** IEEE 754 half precision to float (Java 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal: value = mantissa * 2^-24.
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
