package io.streamlip.trainer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.checkpoint.CheckpointListener;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.data.StreamPosition;
import io.streamlip.trainer.eval.EvalReport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a durable checkpoint (parameters, optimizer and generator state, reading position, the
 * tokenizer, a CLIPPO run's rendering) every {@code checkpointEvery} steps or, when set, once
 * {@code checkpointInterval} has passed since the run's first step or the last checkpoint, at each
 * evaluation (storing its summary) and at the end when steps were trained since the last one; then
 * tells the source it may commit that position and announces the checkpoint (on {@code
 * model-updates}).
 */
final class Checkpointer implements TrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final ObjectMapper CONFIG_JSON = configMapper();

    private final TrainerConfig config;
    private final CheckpointStore store;
    private final LongSupplier randomState;
    private final CheckpointListener announcer;
    private final ClippoRendering rendering; // null unless the config renders (CLIPPO)
    private long stepsAtCheckpoint;
    private long lastCheckpointNanos; // 0 until the first step: the interval counts from there

    Checkpointer(
            TrainerConfig config,
            CheckpointStore store,
            LongSupplier randomState,
            CheckpointListener announcer) {
        this.config = config;
        this.store = store;
        this.randomState = randomState;
        this.announcer = announcer;
        this.rendering = config.render() == null ? null : ClippoRendering.open(config.render());
    }

    @Override
    public void onStep(TrainingRun run, StepEvent step) throws IOException {
        if (step.step() % config.checkpointEvery() == 0
                || run.evaluationNow() != null
                || intervalPassed()) {
            write(run);
        }
    }

    private boolean intervalPassed() {
        Duration interval = config.checkpointInterval();
        long now = System.nanoTime();
        if (lastCheckpointNanos == 0) {
            lastCheckpointNanos = now;
        }
        return interval != null && now - lastCheckpointNanos >= interval.toNanos();
    }

    @Override
    public void onEnd(TrainingRun run) throws IOException {
        // An evaluation at the end is stored even when its step was checkpointed already (the
        // same step and offsets are written again).
        if (run.steps() > stepsAtCheckpoint || run.evaluationNow() != null) {
            write(run);
        }
    }

    private void write(TrainingRun run) throws IOException {
        TrainingSession session = run.session();
        long step = session.steps();
        EvalReport evaluation = run.evaluationNow();
        Map<String, Double> evalSummary = evaluation == null ? Map.of() : evaluation.summary();
        StreamPosition position = run.source().position();
        if (position.partitions().isEmpty()) {
            position = StreamPosition.of(run.offsets());
        }
        LatencyStats.Percentiles fresh = run.freshness().recent();
        LossTracker losses = run.losses();
        TrainingState state =
                new TrainingState(
                        config.resolvedRunName() + "/" + CheckpointStore.folderName(step),
                        step,
                        run.examplesSeen(),
                        run.skippedRecordsSeen(),
                        TrainingState.offsetList(position.trainedUpTo()),
                        config.model(),
                        config.tokenizerVersion(),
                        configJson(),
                        losses.summary(losses.takeSinceCheckpoint()),
                        session.temperature(),
                        session.bias(),
                        Instant.now().toString(),
                        evalSummary,
                        position.partitions(),
                        randomState.getAsLong(),
                        fresh.count() == 0
                                ? null
                                : new TrainingState.Freshness(
                                        fresh.count(), fresh.p50Millis(), fresh.p95Millis()),
                        session.routingMetrics());
        Path path =
                store.write(
                        state,
                        folder -> {
                            session.save(folder);
                            // The checkpoint alone rebuilds its tokenizer (eval, the scorer).
                            Tokenizers.save(config.tokenizer(), folder);
                            if (rendering != null) {
                                rendering.save(folder); // and its rendering (CLIPPO)
                            }
                        });
        LOG.info("checkpoint {} written to {}", state.modelVersion(), path);
        run.source().checkpointed(position);
        announcer.onCheckpoint(path, state);
        run.checkpointed(path);
        stepsAtCheckpoint = run.steps();
        lastCheckpointNanos = System.nanoTime();
    }

    /**
     * The whole configuration, key by component name (a setting added to {@link TrainerConfig}
     * appears without a change here): paths absolute, durations ISO-8601, the tokenizer as its
     * version, the metrics file and the run name as resolved.
     */
    private ObjectNode configJson() {
        ObjectNode node = CONFIG_JSON.valueToTree(config);
        node.put("metricsFile", config.resolvedMetricsFile().toAbsolutePath().toString());
        node.put("runName", config.resolvedRunName());
        return node;
    }

    private static ObjectMapper configMapper() {
        SimpleModule forTheRecord =
                new SimpleModule()
                        .addSerializer(
                                Path.class,
                                new ToStringWriter<>(
                                        Path.class, p -> p.toAbsolutePath().toString()))
                        .addSerializer(
                                Duration.class,
                                new ToStringWriter<>(Duration.class, Duration::toString))
                        .addSerializer(
                                CaptionTokenizer.class,
                                new ToStringWriter<>(
                                        CaptionTokenizer.class, CaptionTokenizer::version));
        return new ObjectMapper().registerModule(forTheRecord);
    }

    /** Writes a value as the string {@code text} makes of it. */
    private static final class ToStringWriter<T> extends StdSerializer<T> {
        private final transient Function<T, String> text;

        ToStringWriter(Class<T> type, Function<T, String> text) {
            super(type);
            this.text = text;
        }

        @Override
        public void serialize(T value, JsonGenerator out, SerializerProvider provider)
                throws IOException {
            out.writeString(text.apply(value));
        }
    }
}
