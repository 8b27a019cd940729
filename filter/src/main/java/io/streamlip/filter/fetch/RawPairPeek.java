package io.streamlip.filter.fetch;

import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.SchemaHistory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;

/**
 * Reads whether an encoded {@link RawPair} carries its image, and its {@code image_url}, from the
 * first fields of the Avro body alone (the image's bytes are neither decoded nor copied). It knows
 * the writer schemas of {@link SchemaHistory} whose first fields are {@code id}, {@code image} and
 * {@code image_url} as today; anything else (another fingerprint, bytes that are not single-object
 * Avro, a truncated body) peeks as {@link Kind#UNKNOWN} and the caller decodes the record in full.
 */
final class RawPairPeek implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int HEADER_BYTES = 10; // C3 01 and the 8-byte fingerprint

    /** What the peek saw. */
    enum Kind {
        /** The image's bytes are in the record. */
        INLINE,
        /** No bytes, an {@code image_url}. */
        URL,
        /** Neither bytes nor a URL. */
        NEITHER,
        /** Not a record this peek can read: decode it. */
        UNKNOWN
    }

    /** A peek's answer; {@code url} only for {@link Kind#URL}. */
    record Peeked(Kind kind, String url) {
        static final Peeked INLINE = new Peeked(Kind.INLINE, null);
        static final Peeked NEITHER = new Peeked(Kind.NEITHER, null);
        static final Peeked UNKNOWN = new Peeked(Kind.UNKNOWN, null);
    }

    /** Per known writer fingerprint: the union branch that is null, for image then image_url. */
    private final Map<Long, int[]> nullBranches;

    private transient BinaryDecoder reused;

    private RawPairPeek(Map<Long, int[]> nullBranches) {
        this.nullBranches = nullBranches;
    }

    /** A peek for today's {@link RawPair} schema and every one in its history. */
    static RawPairPeek forRawPairs() {
        Schema current = SpecificData.get().getSchema(RawPair.class);
        List<Schema> schemas = new ArrayList<>();
        schemas.add(current);
        schemas.addAll(SchemaHistory.load(current.getFullName()));
        Map<Long, int[]> known = new HashMap<>();
        for (Schema schema : schemas) {
            int[] branches = nullBranches(schema);
            if (branches != null) {
                known.put(SchemaNormalization.parsingFingerprint64(schema), branches);
            }
        }
        return new RawPairPeek(known);
    }

    /** The null branches of image and image_url, or null when the layout is not today's. */
    private static int[] nullBranches(Schema schema) {
        List<Schema.Field> fields = schema.getFields();
        if (fields.size() < 3
                || !fields.get(0).name().equals("id")
                || fields.get(0).schema().getType() != Schema.Type.STRING
                || !fields.get(1).name().equals("image")
                || !fields.get(2).name().equals("image_url")) {
            return null;
        }
        int image = nullBranch(fields.get(1).schema(), Schema.Type.BYTES);
        int url = nullBranch(fields.get(2).schema(), Schema.Type.STRING);
        return image < 0 || url < 0 ? null : new int[] {image, url};
    }

    private static int nullBranch(Schema union, Schema.Type other) {
        if (union.getType() != Schema.Type.UNION || union.getTypes().size() != 2) {
            return -1;
        }
        List<Schema> types = union.getTypes();
        if (types.get(0).getType() == Schema.Type.NULL && types.get(1).getType() == other) {
            return 0;
        }
        if (types.get(1).getType() == Schema.Type.NULL && types.get(0).getType() == other) {
            return 1;
        }
        return -1;
    }

    /** What {@code encoded} carries; never throws. */
    Peeked peek(byte[] encoded) {
        if (encoded == null
                || encoded.length <= HEADER_BYTES
                || encoded[0] != (byte) 0xC3
                || encoded[1] != (byte) 0x01) {
            return Peeked.UNKNOWN;
        }
        long fingerprint = 0;
        for (int i = 9; i >= 2; i--) { // little-endian
            fingerprint = (fingerprint << 8) | (encoded[i] & 0xFF);
        }
        int[] branches = nullBranches.get(fingerprint);
        if (branches == null) {
            return Peeked.UNKNOWN;
        }
        try {
            BinaryDecoder in =
                    DecoderFactory.get()
                            .binaryDecoder(
                                    encoded, HEADER_BYTES, encoded.length - HEADER_BYTES, reused);
            reused = in;
            in.skipString(); // id
            int image = in.readIndex();
            if (image > 1) {
                return Peeked.UNKNOWN;
            }
            if (image != branches[0]) {
                return Peeked.INLINE;
            }
            int url = in.readIndex();
            if (url > 1) {
                return Peeked.UNKNOWN;
            }
            if (url == branches[1]) {
                return Peeked.NEITHER;
            }
            long length = in.readLong();
            if (length < 0 || length > encoded.length) {
                return Peeked.UNKNOWN;
            }
            byte[] url8 = new byte[(int) length];
            in.readFixed(url8);
            return new Peeked(Kind.URL, new String(url8, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Peeked.UNKNOWN;
        }
    }
}
