package io.streamlip.filter.fetch;

import io.streamlip.schemas.RawPair;
import org.apache.avro.SchemaNormalization;

/**
 * Whether a raw record is a {@link RawPair} of today's schema that carries its image bytes, told
 * from its first bytes without decoding it: the single-object header (marker {@code C3 01} and
 * today's schema fingerprint), the id's length, then the branch of the {@code image} union. Such a
 * record has nothing to fetch and passes the fetch stage unchanged; every other record (another
 * writer schema, not Avro, truncated, no image) is decoded in full as before, so the answer "no"
 * only costs the decode the stage always did.
 */
final class InlineImage {
    private static final long FINGERPRINT =
            SchemaNormalization.parsingFingerprint64(RawPair.getClassSchema());
    private static final int HEADER = 10;

    private InlineImage() {}

    /** True only when {@code value} is a today's-schema raw pair whose image is not null. */
    static boolean carried(byte[] value) {
        if (value == null || value.length < HEADER + 2) {
            return false;
        }
        if (value[0] != (byte) 0xC3 || value[1] != (byte) 0x01) {
            return false;
        }
        long fingerprint = 0;
        for (int i = 0; i < 8; i++) {
            fingerprint |= (value[2 + i] & 0xFFL) << (8 * i);
        }
        if (fingerprint != FINGERPRINT) {
            return false;
        }
        // The id: a zig-zag varint length, then that many bytes.
        int at = HEADER;
        long raw = 0;
        int shift = 0;
        while (true) {
            if (at >= value.length || shift > 63) {
                return false;
            }
            int b = value[at++] & 0xFF;
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
        }
        long length = (raw >>> 1) ^ -(raw & 1);
        if (length < 0 || length >= value.length - at) {
            return false;
        }
        at += (int) length;
        // The image union ["null", "bytes"]: branch 1 (zig-zag 2) is the bytes.
        return value[at] == 2;
    }
}
