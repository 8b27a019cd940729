package io.streamlip.schemas;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Walks the body of an Avro single-object encoded record before Avro decodes it, and refuses any
 * string, bytes or collection whose length prefix claims more than the record holds (or a
 * collection more items than allowed). Avro allocates what a length prefix claims before it reads
 * the bytes, so without this a record of a few bytes claiming a 1 GiB string costs 1 GiB of heap.
 *
 * <p>It reads the writer schema's structure only (no values are built). Records whose header it
 * does not recognise (no {@code C3 01} marker, a fingerprint of no known writer schema) pass: the
 * decoder refuses those itself without allocating. {@link AvroSerde#decode} applies it to every
 * record; a reader with a tighter item bound (the trainer's token ids) builds its own.
 */
public final class AvroLengthGuard {
    private static final int HEADER = 10; // C3 01 + 8-byte fingerprint

    private final Map<Long, Schema> writers = new HashMap<>();
    private final int maxItems;

    /**
     * @param writerSchemas every schema the record may have been written with
     * @param maxItems most items an array or map may hold
     */
    public AvroLengthGuard(List<Schema> writerSchemas, int maxItems) {
        for (Schema s : writerSchemas) {
            writers.put(SchemaNormalization.parsingFingerprint64(s), s);
        }
        this.maxItems = maxItems;
    }

    /** Why {@code bytes} cannot be decoded within their own size, or empty when they can. */
    public Optional<String> check(byte[] bytes) {
        if (bytes.length < HEADER || (bytes[0] & 0xff) != 0xC3 || bytes[1] != 0x01) {
            return Optional.empty();
        }
        long fingerprint = 0;
        for (int i = 9; i >= 2; i--) {
            fingerprint = (fingerprint << 8) | (bytes[i] & 0xff);
        }
        Schema writer = writers.get(fingerprint);
        if (writer == null) {
            return Optional.empty();
        }
        Cursor cursor = new Cursor(bytes, HEADER);
        try {
            walk(writer, cursor, "");
            return Optional.empty();
        } catch (Refused e) {
            return Optional.of(e.getMessage());
        }
    }

    private void walk(Schema schema, Cursor in, String path) throws Refused {
        switch (schema.getType()) {
            case NULL -> {}
            case BOOLEAN -> in.skip(1, path);
            case INT, LONG, ENUM -> in.varLong(path);
            case FLOAT -> in.skip(4, path);
            case DOUBLE -> in.skip(8, path);
            case FIXED -> in.skip(schema.getFixedSize(), path);
            case STRING, BYTES -> in.skip(in.length(path), path);
            case RECORD -> {
                for (Schema.Field f : schema.getFields()) {
                    walk(f.schema(), in, path.isEmpty() ? f.name() : path + "." + f.name());
                }
            }
            case UNION -> {
                long branch = in.varLong(path);
                if (branch < 0 || branch >= schema.getTypes().size()) {
                    throw new Refused(path + ": union branch " + branch + " does not exist");
                }
                walk(schema.getTypes().get((int) branch), in, path);
            }
            case ARRAY, MAP -> {
                long items = 0;
                while (true) {
                    long count = in.varLong(path);
                    if (count == 0) {
                        break;
                    }
                    if (count < 0) {
                        count = -count;
                        in.varLong(path); // the block's size in bytes, which we do not trust
                    }
                    items += count;
                    if (count < 0 || items > maxItems) { // count < 0: it was Long.MIN_VALUE
                        throw new Refused(
                                path + ": " + items + " items claimed, at most " + maxItems);
                    }
                    // Each item takes at least one byte (maps: its key's length).
                    boolean empty =
                            schema.getType() == Schema.Type.ARRAY
                                    && schema.getElementType().getType() == Schema.Type.NULL;
                    if (!empty && count > in.remaining()) {
                        throw new Refused(
                                path
                                        + ": "
                                        + count
                                        + " items claimed, "
                                        + in.remaining()
                                        + " bytes left");
                    }
                    for (long i = 0; i < count; i++) {
                        if (schema.getType() == Schema.Type.MAP) {
                            in.skip(in.length(path), path);
                            walk(schema.getValueType(), in, path);
                        } else {
                            walk(schema.getElementType(), in, path);
                        }
                    }
                }
            }
        }
    }

    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** A read position in the record; every read checks it stays inside. */
    private static final class Cursor {
        private final byte[] bytes;
        private int at;

        Cursor(byte[] bytes, int at) {
            this.bytes = bytes;
            this.at = at;
        }

        long remaining() {
            return bytes.length - at;
        }

        /** A zig-zag varint, as Avro writes int and long. */
        long varLong(String path) throws Refused {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at >= bytes.length) {
                    throw new Refused(path + ": record ends inside a number");
                }
                int b = bytes[at++] & 0xff;
                raw |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw new Refused(path + ": number longer than 10 bytes");
        }

        /** A length prefix, checked against what is left. */
        long length(String path) throws Refused {
            long n = varLong(path);
            if (n < 0 || n > remaining()) {
                throw new Refused(
                        path + ": length " + n + " claimed, " + remaining() + " bytes left");
            }
            return n;
        }

        void skip(long n, String path) throws Refused {
            if (n > remaining()) {
                throw new Refused(path + ": record ends early");
            }
            at += (int) n;
        }
    }
}
