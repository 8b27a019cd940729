package io.streamlip.filter;

import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by the curated pair's language ({@link CuratedPair#getLang()}): the per-language caps of
 * {@link LanguageConfig#caps()} in the job, with {@link LanguageQuota}'s decision ({@link
 * LanguageQuota#decide}). Without a {@link LanguageConfig#capWindow()} the count of pairs the
 * language passed is a lifetime count: a capped language stays capped for the job's lifetime. With
 * one, a capped language keeps a {@link RollingCount} of the pairs it passed in the last window of
 * processing time (a fixed {@code long[]} per capped language), and is accepted again as the window
 * moves past them. Either count lives in keyed state on the state backend (RocksDB), so a restarted
 * job goes on counting where its checkpoint left off (the time it was down counts as window time
 * passed). A pair beyond the cap goes to the rejects as {@code language_cap}, with the raw pair as
 * payload and its id as key, and counts in the {@code language_cap} counter.
 *
 * <p>All pairs of one language meet in one task: the stage is one counter update per pair, so a
 * dominant language makes that task busier, not the job slower than its other stages.
 */
final class LanguageCapFunction extends KeyedProcessFunction<String, CuratedPair, CuratedPair> {
    private static final long serialVersionUID = 1L;

    private final Map<String, Long> caps;
    private final Duration window;
    private final OutputTag<Reject> rejects = EnvelopeStage.rejects(FilterJob.STAGE);
    private transient ValueState<Long> passed;
    private transient ValueState<long[]> recent;
    private transient RollingCount rolling;
    private transient RejectCounters counters;
    private transient AvroSerde<RawPair> raw;

    LanguageCapFunction(LanguageConfig config) {
        this.caps = config.caps();
        this.window = config.capWindow();
    }

    /** The language a pair is counted under: its curated language, {@code und} for none. */
    static String languageOf(CuratedPair pair) {
        return pair.getLang() == null ? PairCurator.UNDETERMINED : pair.getLang();
    }

    @Override
    public void open(OpenContext openContext) {
        passed =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("language-passed", Types.LONG));
        // Its own state name: a job restarted with a window does not read lifetime counts as
        // bucket counts (nor the other way round).
        recent =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "language-window",
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        rolling = window.isZero() ? null : new RollingCount(window);
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
        raw = AvroSerde.of(RawPair.class);
    }

    @Override
    public void processElement(CuratedPair pair, Context ctx, Collector<CuratedPair> out)
            throws Exception {
        String lang = ctx.getCurrentKey();
        if (rolling != null && !caps.containsKey(lang)) {
            counters.accepted(); // no cap, no state
            out.collect(pair);
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        long so;
        if (rolling == null) {
            Long count = passed.value();
            so = count == null ? 0 : count;
        } else {
            so = rolling.count(recent.value(), now);
        }
        Verdict<String> verdict = LanguageQuota.decide(lang, so, caps, window);
        if (verdict instanceof Verdict.Refused<String> refused) {
            counters.rejected(refused.reason());
            ctx.output(rejects, LanguageCapFunction.reject(pair, refused, raw));
            return;
        }
        if (rolling == null) {
            passed.update(so + 1);
        } else {
            recent.update(rolling.add(recent.value(), now));
        }
        counters.accepted();
        out.collect(pair);
    }

    /** The {@code language_cap} reject of {@code pair}: its raw pair as payload, its id as key. */
    static Reject reject(
            CuratedPair pair, Verdict.Refused<String> refused, AvroSerde<RawPair> raw) {
        String id = pair.getPair().getId();
        return Reject.newBuilder()
                .setId(id)
                .setStage(FilterJob.STAGE)
                .setReason(refused.reason().code())
                .setDetail(refused.detail())
                .setKey(ByteBuffer.wrap(id.getBytes(StandardCharsets.UTF_8)))
                .setPayload(ByteBuffer.wrap(raw.encode(pair.getPair())))
                .setRejectTime(Instant.now())
                .build();
    }
}
