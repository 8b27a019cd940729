package io.streamlip.filter;

import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.Verdict;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The language caps when some are shares ({@link LanguageConfig#capShares()}, {@code en=30%}): a
 * share is of every language's accepted pairs, so all pairs meet under one key ({@link #KEY}) and
 * one task, which counts each language and the total in map state (lifetime counts, or a {@link
 * RollingCount} per language over {@link LanguageConfig#capWindow()}). Count caps ({@code de=2000})
 * are decided here too, as {@link LanguageCapFunction} would. A refused pair goes to the rejects as
 * {@code language_cap} and counts toward nothing.
 */
final class LanguageShareFunction extends KeyedProcessFunction<String, CuratedPair, CuratedPair> {
    private static final long serialVersionUID = 1L;

    /** The one key every pair is counted under. */
    static final String KEY = "all";

    /** The total's entry in the map state: no language code starts with a star. */
    private static final String TOTAL = "*";

    private final Map<String, Long> caps;
    private final Map<String, Double> shares;
    private final Duration window;
    private final OutputTag<Reject> rejects = EnvelopeStage.rejects(FilterJob.STAGE);
    private transient MapState<String, Long> lifetime;
    private transient MapState<String, long[]> recent;
    private transient RollingCount rolling;
    private transient RejectCounters counters;
    private transient AvroSerde<RawPair> raw;

    LanguageShareFunction(LanguageConfig config) {
        this.caps = config.caps();
        this.shares = config.capShares();
        this.window = config.capWindow();
    }

    @Override
    public void open(OpenContext openContext) {
        lifetime =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "language-share-passed", Types.STRING, Types.LONG));
        recent =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "language-share-window",
                                        Types.STRING,
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        rolling = window.isZero() ? null : new RollingCount(window);
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
        raw = AvroSerde.of(RawPair.class);
    }

    @Override
    public void processElement(CuratedPair pair, Context ctx, Collector<CuratedPair> out)
            throws Exception {
        String lang = LanguageCapFunction.languageOf(pair);
        long now = ctx.timerService().currentProcessingTime();
        Verdict<String> verdict = Verdict.accept(lang);
        if (caps.containsKey(lang)) {
            verdict = LanguageQuota.decide(lang, count(lang, now), caps, window);
        } else if (shares.containsKey(lang)) {
            verdict =
                    LanguageQuota.decideShare(
                            lang, count(lang, now), count(TOTAL, now), shares.get(lang), window);
        }
        if (verdict instanceof Verdict.Refused<String> refused) {
            counters.rejected(refused.reason());
            ctx.output(rejects, LanguageCapFunction.reject(pair, refused, raw));
            return;
        }
        if (caps.containsKey(lang) || shares.containsKey(lang)) {
            add(lang, now);
        }
        add(TOTAL, now);
        counters.accepted();
        out.collect(pair);
    }

    private long count(String entry, long now) throws Exception {
        if (rolling == null) {
            Long n = lifetime.get(entry);
            return n == null ? 0 : n;
        }
        return rolling.count(recent.get(entry), now);
    }

    private void add(String entry, long now) throws Exception {
        if (rolling == null) {
            lifetime.put(entry, count(entry, now) + 1);
        } else {
            recent.put(entry, rolling.add(recent.get(entry), now));
        }
    }
}
