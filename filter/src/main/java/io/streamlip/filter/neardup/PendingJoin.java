package io.streamlip.filter.neardup;

import io.streamlip.filter.curate.CuratedEnvelope;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * One join of {@link ClusterAssignFunction} in progress: the pair (once it arrived) and what its
 * band answers said so far. A Flink POJO, in a checkpoint only when one is taken while it waits.
 */
public class PendingJoin {
    /** {@link NearDuplicateStages#pairKey} of the pair: the join's key. */
    public String pairKey;

    /** The pair, or null while only answers have arrived. */
    public CuratedEnvelope pair;

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

    /** Explicit type information, as {@link CuratedEnvelope#typeInfo()}. */
    public static TypeInformation<PendingJoin> typeInfo() {
        return Types.POJO(
                PendingJoin.class,
                Map.of(
                        "pairKey",
                        Types.STRING,
                        "pair",
                        CuratedEnvelope.typeInfo(),
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
