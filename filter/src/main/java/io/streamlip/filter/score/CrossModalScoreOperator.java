package io.streamlip.filter.score;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.platform.score.PairScorerFactory;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cross-modal score filter: curated pairs on the first input, the trainer's {@link
 * ModelUpdate}s broadcast on the second. Pairs are scored in micro-batches ({@link
 * CrossModalJudge}; {@code batchSize} pairs or {@code batchTimeoutMillis}) with the newest loaded
 * model and emitted in arrival order with {@code crossmodal_score} and {@code model_version};
 * refusals go to the rejects as {@code low_crossmodal_score} (or {@code internal_error}) with the
 * version. Before any model, pairs pass unscored. An update is loaded when the next pair arrives,
 * so a model no pair is judged by is never loaded. A batch is flushed before a checkpoint barrier,
 * a watermark, a model update and the end of input, so nothing buffered is only in memory at a
 * checkpoint; the newest update is kept in broadcast state. Counters and the why:
 * docs/decisions/cross-modal-scoring.md.
 */
public final class CrossModalScoreOperator extends AbstractStreamOperator<CuratedPair>
        implements TwoInputStreamOperator<CuratedPair, ModelUpdate, CuratedPair>,
                BoundedMultiInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CrossModalScoreOperator.class);
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
    private transient BroadcastState<String, ModelUpdate> modelState;
    private transient CrossModalJudge judge;
    private transient List<StreamRecord<CuratedPair>> batch;
    private transient long batchNumber;
    private transient TypeSerializer<CuratedPair> copier;
    private transient RejectCounters counters;
    private transient AvroSerde<RawPair> raw;
    private transient Counter scored;
    private transient Counter unscored;
    private transient Counter batches;
    private transient Counter updates;
    private transient Counter modelsLoaded;
    private transient Counter loadFailures;

    /**
     * @param stage the stage named in rejects; refusals go to the side output {@code
     *     EnvelopeStage.rejects(stage)}
     */
    public CrossModalScoreOperator(
            PairScorerFactory factory, CrossModalConfig config, String stage) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.config = Objects.requireNonNull(config, "config");
        this.stage = Objects.requireNonNull(stage, "stage");
        this.rejects = EnvelopeStage.rejects(stage);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        modelState = context.getOperatorStateStore().getBroadcastState(MODEL_STATE);
    }

    @Override
    public void open() throws Exception {
        super.open();
        judge = new CrossModalJudge(factory, config);
        batch = new ArrayList<>(config.batchSize());
        // With object reuse an upstream operator may reuse the record it handed over: a pair
        // that waits for its batch must be a copy.
        copier =
                getExecutionConfig().isObjectReuseEnabled()
                        ? EnvelopeStage.avroType(CuratedPair.class)
                                .createSerializer(getExecutionConfig().getSerializerConfig())
                        : null;
        counters = new RejectCounters(getMetricGroup());
        raw = AvroSerde.of(RawPair.class);
        MetricGroup group = getMetricGroup().addGroup("streamlip");
        scored = group.counter("scored");
        unscored = group.counter("unscored");
        batches = group.counter("score_batches");
        updates = group.counter("model_updates");
        modelsLoaded = group.counter("models_loaded");
        loadFailures = group.counter("model_load_failures");
    }

    @Override
    public void processElement1(StreamRecord<CuratedPair> element) throws Exception {
        // The newest model is loaded when a pair needs it: the updates that arrive while no pair
        // does (curation idle, the trainer checkpointing every few seconds) cost the task nothing,
        // and after a restart the broadcast state holds the newest. One attempt per version.
        ModelUpdate current = modelState.get(CURRENT);
        if (current != null && !current.getModelVersion().equals(judge.attemptedVersion())) {
            load(current);
        }
        if (!judge.hasModel()) {
            unscored.inc();
            counters.accepted();
            output.collect(element);
            return;
        }
        CuratedPair pair = copier == null ? element.getValue() : copier.copy(element.getValue());
        batch.add(
                element.hasTimestamp()
                        ? new StreamRecord<>(pair, element.getTimestamp())
                        : new StreamRecord<>(pair));
        if (batch.size() >= config.batchSize()) {
            flush();
        } else if (batch.size() == 1) {
            long number = batchNumber;
            getProcessingTimeService()
                    .registerTimer(
                            getProcessingTimeService().getCurrentProcessingTime()
                                    + config.batchTimeoutMillis(),
                            time -> {
                                // A timer of a batch flushed since (full, barrier, new model)
                                // finds a later batch: that one has its own timer.
                                if (number == batchNumber) {
                                    flush();
                                }
                            });
        }
    }

    @Override
    public void processElement2(StreamRecord<ModelUpdate> element) throws Exception {
        updates.inc();
        ModelUpdate update = element.getValue();
        ModelUpdate current = modelState.get(CURRENT);
        if (current != null && update.getCreatedTime().isBefore(current.getCreatedTime())) {
            LOG.info(
                    "ignoring {}: older than the current model {}",
                    update.getModelVersion(),
                    current.getModelVersion());
            return;
        }
        // The waiting pairs arrived under the current model: it judges them. The next pair loads
        // this one.
        flush();
        modelState.put(CURRENT, update);
    }

    private void load(ModelUpdate update) {
        if (judge.load(update)) {
            modelsLoaded.inc();
        } else {
            loadFailures.inc();
        }
    }

    /** Scores the waiting pairs in one call and emits them in arrival order. */
    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<StreamRecord<CuratedPair>> records = batch;
        batch = new ArrayList<>(config.batchSize());
        batchNumber++;
        List<CuratedPair> pairs = new ArrayList<>(records.size());
        for (StreamRecord<CuratedPair> r : records) {
            pairs.add(r.getValue());
        }
        List<CrossModalJudge.Judged> judged = judge.judge(pairs);
        batches.inc();
        for (int i = 0; i < judged.size(); i++) {
            CrossModalJudge.Judged j = judged.get(i);
            StreamRecord<CuratedPair> record = records.get(i);
            if (j.scored()) {
                scored.inc();
            }
            if (j.kept()) {
                counters.accepted();
                output.collect(record.replace(j.pair()));
            } else {
                counters.rejected(j.refusal());
                output.collect(rejects, record.replace(reject(j)));
            }
        }
    }

    private Reject reject(CrossModalJudge.Judged j) {
        String id = j.pair().getPair().getId();
        return Reject.newBuilder()
                .setId(id)
                .setStage(stage)
                .setReason(j.refusal().code())
                .setDetail(j.detail())
                .setKey(ByteBuffer.wrap(id.getBytes(StandardCharsets.UTF_8)))
                .setPayload(ByteBuffer.wrap(raw.encode(j.pair().getPair())))
                .setModelVersion(BoundedText.cap(j.modelVersion(), MAX_VERSION_CHARS))
                .setRejectTime(Instant.now())
                .build();
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        // A watermark must not overtake the pairs that arrived before it.
        flush();
        super.processWatermark1(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) throws Exception {
        flush();
        super.processWatermark2(mark);
    }

    /** Empties the batch before the barrier: what it held belongs to this checkpoint's output. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        if (!batch.isEmpty()) {
            // prepareSnapshotPreBarrier always runs first; pairs here would be lost on restore.
            throw new IllegalStateException(
                    batch.size() + " cross-modal pairs still buffered at checkpoint");
        }
        super.snapshotState(context);
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            flush();
        }
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            if (judge != null) {
                judge.close();
            }
        }
    }
}
