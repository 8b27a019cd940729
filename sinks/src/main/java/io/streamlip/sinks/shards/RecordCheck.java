package io.streamlip.sinks.shards;

import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.Serializable;

/**
 * Whether a file sink can write a record, decided before the sink (a Flink sink cannot send a
 * record to a side output): accepted with what the sink writes, or refused with {@link
 * RejectReason#SINK_UNWRITABLE} and a short detail. Never throws for a bad record.
 *
 * @param <IN> the records checked
 * @param <OUT> what the sink writes for an accepted record
 */
@FunctionalInterface
public interface RecordCheck<IN, OUT> extends Serializable {
    /** Details are cut to this many characters. */
    int MAX_DETAIL_CHARS = 1000;

    Verdict<OUT> check(IN record);

    /** A {@code sink_unwritable} refusal with {@code detail} cut to {@link #MAX_DETAIL_CHARS}. */
    static <T> Verdict<T> unwritable(String detail) {
        String d = detail == null ? "" : detail;
        if (d.length() > MAX_DETAIL_CHARS) {
            d = d.substring(0, MAX_DETAIL_CHARS - 1) + "…";
        }
        return Verdict.refuse(RejectReason.SINK_UNWRITABLE, d);
    }
}
