package io.streamlip.filter.score;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.platform.score.PairScorer;
import io.streamlip.platform.score.PairScorerFactory;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cross-modal score filter: curated pairs on one input, the trainer's {@link ModelUpdate}s
 * broadcast on the other. Each instance loads the newest announced model ({@code
 * PairScorerFactory}) when the update arrives, scores every pair with it, records {@code
 * crossmodal_score} and {@code model_version}, and keeps or refuses the pair ({@code
 * CrossModalPolicy}; refusals go to the filter's rejects as {@code low_crossmodal_score}). While no
 * model exists, pairs pass unscored. Refusals and scoring failures carry the model's version.
 *
 * <p>Counters under the operator's {@code streamlip} group: {@code scored}, {@code unscored}
 * (passed before any model loaded), {@code model_updates} (received), {@code models_loaded}, {@code
 * model_load_failures}, beside {@code accepted} and {@code rejected_<reason>}.
 *
 * <p>Loading happens in the broadcast handler, once per model and instance, never per record; a
 * model that fails to load is logged and the previous one stays. The newest update is kept in
 * broadcast state, so after a restart each instance reloads it on its first pair.
 */
public final class CrossModalScoreFunction
        extends BroadcastProcessFunction<CuratedPair, ModelUpdate, CuratedPair> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CrossModalScoreFunction.class);
    private static final String CURRENT = "current";

    /** Longest model version a reject records (the trainer's are {@code <run>/step-N}). */
    static final int MAX_VERSION_CHARS = 256;

    /** Broadcast state: the newest model update under the key {@value #CURRENT}. */
    public static final MapStateDescriptor<String, ModelUpdate> MODEL_STATE =
            new MapStateDescriptor<>(
                    "crossmodal-model", Types.STRING, EnvelopeStage.avroType(ModelUpdate.class));

    private final PairScorerFactory factory;
    private final CrossModalConfig config;
    private final String stage;
    private final OutputTag<Reject> rejects;
    private transient PairScorer scorer;
    private transient String attemptedVersion;
    private transient CrossModalPolicy policy;
    private transient RejectCounters counters;
    private transient AvroSerde<RawPair> raw;
    private transient Counter scored;
    private transient Counter unscored;
    private transient Counter updates;
    private transient Counter modelsLoaded;
    private transient Counter loadFailures;

    /**
     * @param stage the stage named in rejects; refusals go to the side output {@code
     *     EnvelopeStage.rejects(stage)}
     */
    public CrossModalScoreFunction(
            PairScorerFactory factory, CrossModalConfig config, String stage) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.config = Objects.requireNonNull(config, "config");
        this.stage = Objects.requireNonNull(stage, "stage");
        this.rejects = EnvelopeStage.rejects(stage);
    }

    @Override
    public void open(OpenContext openContext) {
        policy = new CrossModalPolicy(config);
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
        raw = AvroSerde.of(RawPair.class);
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("streamlip");
        scored = group.counter("scored");
        unscored = group.counter("unscored");
        updates = group.counter("model_updates");
        modelsLoaded = group.counter("models_loaded");
        loadFailures = group.counter("model_load_failures");
    }

    @Override
    public void processBroadcastElement(ModelUpdate update, Context ctx, Collector<CuratedPair> out)
            throws Exception {
        updates.inc();
        ModelUpdate current = ctx.getBroadcastState(MODEL_STATE).get(CURRENT);
        if (current != null && update.getCreatedTime().isBefore(current.getCreatedTime())) {
            LOG.info(
                    "ignoring {}: older than the current model {}",
                    update.getModelVersion(),
                    current.getModelVersion());
            return;
        }
        ctx.getBroadcastState(MODEL_STATE).put(CURRENT, update);
        load(update);
    }

    @Override
    public void processElement(CuratedPair pair, ReadOnlyContext ctx, Collector<CuratedPair> out)
            throws Exception {
        if (scorer == null) {
            // After a restart the broadcast state holds the newest model: load it once.
            ModelUpdate current = ctx.getBroadcastState(MODEL_STATE).get(CURRENT);
            if (current != null && !current.getModelVersion().equals(attemptedVersion)) {
                load(current);
            }
        }
        if (scorer == null) {
            unscored.inc();
            counters.accepted();
            out.collect(pair);
            return;
        }
        float score;
        try {
            score = scorer.score(pair);
        } catch (Exception e) {
            LOG.warn("cannot score {}: {}", pair.getPair().getId(), e.toString(), e);
            reject(
                    ctx,
                    pair,
                    RejectReason.INTERNAL_ERROR,
                    "cross-modal score failed: " + e,
                    scorer.modelVersion());
            return;
        }
        scored.inc();
        CuratedPair scored =
                CuratedPair.newBuilder(pair)
                        .setCrossmodalScore(score)
                        .setModelVersion(scorer.modelVersion())
                        .build();
        CrossModalPolicy.Decision decision = policy.decide(pair.getLang(), score);
        if (decision.keep()) {
            counters.accepted();
            out.collect(scored);
        } else {
            reject(
                    ctx,
                    scored,
                    RejectReason.LOW_CROSSMODAL_SCORE,
                    decision.detail() + " under " + scorer.modelVersion(),
                    scorer.modelVersion());
        }
    }

    private void load(ModelUpdate update) {
        attemptedVersion = update.getModelVersion();
        long start = System.nanoTime();
        PairScorer loaded;
        try {
            loaded = factory.load(update);
        } catch (Exception e) {
            loadFailures.inc();
            LOG.warn(
                    "cannot load model {} from {} (keeping {}): {}",
                    update.getModelVersion(),
                    update.getCheckpointPath(),
                    scorer == null ? "none" : scorer.modelVersion(),
                    e.toString());
            return;
        }
        if (scorer != null) {
            scorer.close();
        }
        scorer = loaded;
        modelsLoaded.inc();
        policy.reset();
        LOG.info(
                "scoring with {} (loaded in {} ms)",
                loaded.modelVersion(),
                (System.nanoTime() - start) / 1_000_000);
    }

    private void reject(
            ReadOnlyContext ctx,
            CuratedPair pair,
            RejectReason reason,
            String detail,
            String modelVersion) {
        counters.rejected(reason);
        String id = pair.getPair().getId();
        ctx.output(
                rejects,
                Reject.newBuilder()
                        .setId(id)
                        .setStage(stage)
                        .setReason(reason.code())
                        .setDetail(detail)
                        .setKey(ByteBuffer.wrap(id.getBytes(StandardCharsets.UTF_8)))
                        .setPayload(ByteBuffer.wrap(raw.encode(pair.getPair())))
                        .setModelVersion(BoundedText.cap(modelVersion, MAX_VERSION_CHARS))
                        .setRejectTime(Instant.now())
                        .setModelVersion(pair.getModelVersion())
                        .build());
    }

    @Override
    public void close() {
        if (scorer != null) {
            scorer.close();
            scorer = null;
        }
    }
}
