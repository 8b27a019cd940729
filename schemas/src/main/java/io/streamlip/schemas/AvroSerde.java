package io.streamlip.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * The one serde of the project: Avro single-object encoding (marker {@code C3 01}, the writer
 * schema's 64-bit CRC fingerprint, then the binary body).
 *
 * <p>The fingerprint lets a reader pick the writer's schema: every schema a record type has ever
 * had is kept in {@link SchemaHistory}, so a record written before a field was added still decodes
 * into today's class, with the new field at its default.
 *
 * <p>Instances are serializable (Flink ships them to its operators); the Avro encoder and decoder
 * are rebuilt lazily on the other side.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;

    /**
     * Writer schemas this serde can read besides the current one, as JSON (Schema is not
     * serializable everywhere).
     */
    private final List<String> writerSchemas;

    private transient BinaryMessageEncoder<T> encoder;
    private transient BinaryMessageDecoder<T> decoder;
    private transient AvroLengthGuard guard;

    /**
     * Most items an array or map of a decoded record may claim. Each item also costs at least one
     * byte of the record, so a record's allocation stays proportional to its size.
     */
    public static final int MAX_COLLECTION_ITEMS = 1 << 20;

    private AvroSerde(Class<T> type, List<String> writerSchemas) {
        this.type = type;
        this.writerSchemas = List.copyOf(writerSchemas);
    }

    /**
     * A serde for one generated record class, e.g. {@code AvroSerde.of(RawPair.class)}, that reads
     * every version recorded in {@link SchemaHistory}.
     */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        Schema current = SpecificData.get().getSchema(type);
        return withWriterSchemas(type, SchemaHistory.load(current.getFullName()));
    }

    /**
     * A serde that reads records written with any of {@code writerSchemas} (for example schemas
     * fetched from a registry) besides the current one.
     */
    public static <T extends SpecificRecord> AvroSerde<T> withWriterSchemas(
            Class<T> type, List<Schema> writerSchemas) {
        return new AvroSerde<>(type, writerSchemas.stream().map(Schema::toString).toList());
    }

    public Class<T> type() {
        return type;
    }

    /** The schema this serde writes with (the current one). */
    public Schema schema() {
        return SpecificData.get().getSchema(type);
    }

    /** Encodes one record; never fails for a record of this type. */
    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder().encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new AvroRuntimeException("cannot encode " + type.getSimpleName(), e);
        }
    }

    /**
     * Whether {@link #encode} of {@code record} gives exactly {@code expected}, found while
     * encoding (nothing is allocated for the encoded bytes).
     */
    public boolean encodesTo(T record, byte[] expected) {
        MatchingStream out = new MatchingStream(expected);
        try {
            encoder().encode(record, out);
        } catch (IOException e) {
            throw new AvroRuntimeException("cannot encode " + type.getSimpleName(), e);
        }
        return out.matchesAll();
    }

    /** Compares what is written with {@code expected}, from its start. */
    private static final class MatchingStream extends OutputStream {
        private final byte[] expected;
        private int position;
        private boolean differs;

        MatchingStream(byte[] expected) {
            this.expected = expected;
        }

        @Override
        public void write(int b) {
            if (!differs && position < expected.length && expected[position] == (byte) b) {
                position++;
            } else {
                differs = true;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (differs
                    || len > expected.length - position
                    || !Arrays.equals(expected, position, position + len, b, off, off + len)) {
                differs = true;
                return;
            }
            position += len;
        }

        boolean matchesAll() {
            return !differs && position == expected.length;
        }
    }

    /**
     * Decodes one record written by this project with this or any earlier schema of the type.
     *
     * @throws DecodeException with a reason a person can act on when the bytes are not such a
     *     record
     */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new DecodeException("empty payload, expected a " + type.getSimpleName());
        }
        decoder(); // builds the guard too
        Optional<String> refused = guard.check(bytes);
        if (refused.isPresent()) {
            throw new DecodeException(
                    "corrupt " + type.getSimpleName() + " body: " + refused.get());
        }
        try {
            return decoder.decode(bytes);
        } catch (BadHeaderException e) {
            throw new DecodeException(
                    "not Avro single-object encoding (no C3 01 marker): " + e.getMessage(), e);
        } catch (MissingSchemaException e) {
            throw new DecodeException(
                    "unknown writer schema for "
                            + type.getSimpleName()
                            + " (fingerprint not in the schema history): "
                            + e.getMessage(),
                    e);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(
                    "corrupt " + type.getSimpleName() + " body: " + e.getMessage(), e);
        }
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.getForClass(type), schema());
        }
        return encoder;
    }

    private BinaryMessageDecoder<T> decoder() {
        if (decoder == null) {
            trustRecordClasses(type);
            SpecificData model = SpecificData.getForClass(type);
            BinaryMessageDecoder<T> d = new BinaryMessageDecoder<>(model, schema());
            List<Schema> writers = new ArrayList<>();
            writers.add(schema());
            for (String writer : writerSchemas) {
                Schema parsed = new Schema.Parser().parse(writer);
                d.addSchema(parsed);
                writers.add(parsed);
            }
            guard = new AvroLengthGuard(writers, MAX_COLLECTION_ITEMS);
            decoder = d;
        }
        return decoder;
    }

    /**
     * Avro 1.12 refuses to instantiate classes outside a trusted list while resolving a writer
     * schema. Our generated records are trusted by construction, so add their package once per JVM
     * (Flink TaskManagers and the trainer included) instead of asking every launcher for a system
     * property.
     */
    private static synchronized void trustRecordClasses(Class<?> type) {
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (!current.isTrusted(type)) {
            String pkg = type.getPackageName();
            ClassSecurityValidator.setGlobal(
                    ClassSecurityValidator.composite(current, c -> c.getPackageName().equals(pkg)));
        }
    }

    /** Raised when bytes cannot be decoded as a record of the expected type. */
    public static final class DecodeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DecodeException(String message) {
            super(message);
        }

        public DecodeException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Reads a resource fully; shared by the history loader. */
    static String readResource(String path) throws IOException {
        try (InputStream in = AvroSerde.class.getResourceAsStream(path)) {
            if (in == null) {
                return null;
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
