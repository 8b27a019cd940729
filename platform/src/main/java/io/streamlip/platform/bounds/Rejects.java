package io.streamlip.platform.bounds;

import io.streamlip.schemas.Reject;
import java.nio.ByteBuffer;

/**
 * Keeps every {@link Reject} within the rejects topic's record limit.
 *
 * <p>A detail is cut to {@value #MAX_DETAIL_CHARS} chars (with an ellipsis, never inside a
 * surrogate pair), and an id longer than {@value #MAX_ID_CHARS} chars is left out (it is also the
 * reject's Kafka key; a cut id could name another record). A reject that still does not fit keeps
 * where the original was read (topic, partition, offset), its key when at most {@value
 * #MAX_KEPT_KEY_BYTES} bytes, and its detail, but drops the payload; the detail then ends with
 * {@code payload omitted: N bytes}.
 */
public final class Rejects {
    /** Longest detail, in UTF-16 chars. */
    public static final int MAX_DETAIL_CHARS = 1024;

    /** Longest id a reject carries, in UTF-16 chars. */
    public static final int MAX_ID_CHARS = 1024;

    /** Longest original key a reject without its payload still carries. */
    public static final int MAX_KEPT_KEY_BYTES = 1024;

    private Rejects() {}

    /** {@code detail} within {@value #MAX_DETAIL_CHARS} chars; null becomes empty. */
    public static String capDetail(String detail) {
        return detail == null ? "" : BoundedText.truncate(detail, MAX_DETAIL_CHARS);
    }

    /**
     * {@code reject} made to fit a topic whose record limit is {@code maxRecordBytes}, as the class
     * comment says: the same object when it already does, else a copy that shares its bytes.
     */
    public static Reject fit(Reject reject, int maxRecordBytes) {
        String detail = capDetail(reject.getDetail());
        String id = reject.getId();
        if (id != null && id.length() > MAX_ID_CHARS) {
            id = null;
        }
        boolean changed = id != reject.getId() || !detail.equals(reject.getDetail());
        Reject fitted =
                changed ? with(reject, id, detail, reject.getKey(), reject.getPayload()) : reject;
        if (fits(fitted, maxRecordBytes)) {
            return fitted;
        }
        StringBuilder omitted = new StringBuilder();
        ByteBuffer payload = fitted.getPayload();
        if (payload != null) {
            omitted.append("payload omitted: ").append(payload.remaining()).append(" bytes");
        }
        ByteBuffer key = fitted.getKey();
        if (key != null && key.remaining() > MAX_KEPT_KEY_BYTES) {
            omitted.append(omitted.length() > 0 ? ", " : "")
                    .append("key omitted: ")
                    .append(key.remaining())
                    .append(" bytes");
            key = null;
        }
        String note = " (" + omitted + ")";
        fitted =
                with(
                        fitted,
                        id,
                        BoundedText.truncate(detail, MAX_DETAIL_CHARS - note.length()) + note,
                        key,
                        null);
        if (!fits(fitted, maxRecordBytes)) {
            // Only with a limit of a few KB: what is left is bounded by the caps above.
            fitted = with(fitted, id, BoundedText.truncate(fitted.getDetail(), 64), null, null);
        }
        return fitted;
    }

    private static Reject with(
            Reject reject, String id, String detail, ByteBuffer key, ByteBuffer payload) {
        // The all-fields constructor shares the buffers; a builder copy would copy them.
        return new Reject(
                id,
                reject.getStage(),
                reject.getReason(),
                detail,
                key,
                reject.getTopic(),
                reject.getPartition(),
                reject.getOffset(),
                payload,
                reject.getModelVersion(),
                reject.getRejectTime());
    }

    /** Whether {@code reject}, keyed by its id, fits a topic of {@code maxRecordBytes}. */
    public static boolean fits(Reject reject, int maxRecordBytes) {
        return RecordSize.fits(
                BoundedText.utf8Length(reject.getId()), encodedSizeBound(reject), maxRecordBytes);
    }

    /**
     * An upper bound of {@code reject}'s encoded size, from its fields' sizes without encoding it
     * (a length or union prefix counted at its largest).
     */
    public static long encodedSizeBound(Reject reject) {
        long size = RecordSize.SINGLE_OBJECT_HEADER;
        size += 6 + BoundedText.utf8Length(reject.getId());
        size += 5 + BoundedText.utf8Length(reject.getStage());
        size += 5 + BoundedText.utf8Length(reject.getReason());
        size += 5 + BoundedText.utf8Length(reject.getDetail());
        size += 6 + (reject.getKey() == null ? 0 : reject.getKey().remaining());
        size += 6 + BoundedText.utf8Length(reject.getTopic());
        size += 5 + 10; // partition, offset
        size += 6 + (reject.getPayload() == null ? 0 : reject.getPayload().remaining());
        size += 10; // reject_time
        return size;
    }
}
