package io.streamlip.filter.neardup;

import io.streamlip.filter.curate.CuratedEnvelope;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * One join of {@link ClusterAssignFunction} in progress: the pair (once it arrived; on the heap, or
 * in keyed state when the heap held its bound) and what its band answers said so far. A Flink POJO,
 * in a checkpoint only when one is taken while it waits.
 */
public class PendingJoin {
    /** What a pair is counted beyond its byte arrays and strings (objects, Avro fields). */
    static final long PAIR_OVERHEAD_BYTES = 512;

    /** {@link NearDuplicateStages#pairKey} of the pair: the join's key. */
    public String pairKey;

    /** The pair, or null while only answers have arrived or while it waits in keyed state. */
    public CuratedEnvelope pair;

    /** Whether the pair arrived and waits in the join's keyed state, not in {@link #pair}. */
    public boolean pairInState;

    /** How many bands have answered ({@link BandAnswer#bands} summed). */
    public int answers;

    /** Whether any answer found a near copy; then {@link #cluster} is the oldest found. */
    public boolean found;

    public long cluster;

    /** When {@link #cluster} was started. */
    public long time;

    public PendingJoin() {}

    PendingJoin(String pairKey) {
        this.pairKey = pairKey;
    }

    /**
     * The heap a pair takes, estimated from what dominates it: the Kafka record it came from, the
     * decoded image bytes, the thumbnail and the texts (the record's bytes only where the envelope
     * still carries them: {@link CuratedEnvelope#source}).
     */
    static long estimatedBytes(CuratedEnvelope pair) {
        long bytes = PAIR_OVERHEAD_BYTES + length(pair.thumbnail) + chars(pair.duplicateKey);
        if (pair.source != null) {
            bytes += length(pair.source.key) + length(pair.source.value) + chars(pair.source.topic);
        }
        if (pair.pair != null) {
            bytes += chars(pair.pair.getCaption()) + chars(pair.pair.getImageSha256());
            if (pair.pair.getPair() != null) {
                ByteBuffer image = pair.pair.getPair().getImage();
                bytes += (image == null ? 0 : image.capacity());
                bytes += chars(pair.pair.getPair().getAltText());
                bytes += chars(pair.pair.getPair().getId());
                bytes += chars(pair.pair.getPair().getPageContext());
                bytes += chars(pair.pair.getPair().getPageTitle());
                bytes += chars(pair.pair.getPair().getImageUrl());
            }
        }
        return bytes;
    }

    private static long length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static long chars(CharSequence text) {
        return text == null ? 0 : 2L * text.length();
    }

    /** Explicit type information, as {@link CuratedEnvelope#typeInfo()}. */
    public static TypeInformation<PendingJoin> typeInfo() {
        return Types.POJO(
                PendingJoin.class,
                Map.of(
                        "pairKey",
                        Types.STRING,
                        "pair",
                        CuratedEnvelope.typeInfo(),
                        "pairInState",
                        Types.BOOLEAN,
                        "answers",
                        Types.INT,
                        "found",
                        Types.BOOLEAN,
                        "cluster",
                        Types.LONG,
                        "time",
                        Types.LONG));
    }
}
