package io.streamlip.trainer;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.ingest.kafka.PipelineTopics;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.checkpoint.CheckpointListener;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.ModelUpdatePublisher;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.ExampleDecoder;
import io.streamlip.trainer.data.KafkaBatchSource;
import io.streamlip.trainer.data.StreamPosition;
import io.streamlip.trainer.data.StreamRandom;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.device.Devices;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.eval.Evaluator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming SigLIP trainer: reads batches (from the {@code examples} topic), trains, writes
 * durable checkpoints (parameters, optimizer state, Kafka offsets) every {@code checkpointEvery}
 * steps and when it stops, and announces each on {@code model-updates}. With an evaluation set it
 * also evaluates every {@code evalEvery} steps and at the end, each time with a checkpoint that
 * stores the evaluation's summary. On start it resumes from the newest checkpoint in its folder
 * that loads, at the offsets that checkpoint stored; a damaged one (a crash or power loss during
 * its write) is logged, renamed {@code step-NNNNNNNN.corrupt-<ms>} and the one before tried.
 *
 * <p>{@link #run} blocks the calling thread until a {@link StopCondition} holds or {@link #stop()}
 * is called from another thread. A trainer runs once; {@link #close()} releases the Kafka clients.
 */
public final class Trainer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Consecutive dropped (non-finite) updates after which the run is declared diverged. */
    static final int MAX_CONSECUTIVE_SKIPS = 20;

    private final TrainerConfig config;
    private final BatchSource source;
    private final CheckpointListener listener;
    private final List<AutoCloseable> owned;
    private final CheckpointStore store;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final StreamRandom random;
    private final LatencyStats freshness = new LatencyStats(FRESHNESS_WINDOW);
    private final MetricsLog metrics;
    private volatile TrainingProgress progress = TrainingProgress.NONE;
    private volatile BiConsumer<Path, TrainingSession> resumeListener = (path, session) -> {};

    /** Examples the steady-state freshness percentiles cover (the latest ones). */
    static final int FRESHNESS_WINDOW = 4096;

    /**
     * A trainer reading {@code topics.examples()} with {@code config.consumerGroup()} and
     * announcing checkpoints on {@code topics.modelUpdates()}. The topics must exist.
     */
    public Trainer(TrainerConfig config, KafkaClients kafka, PipelineTopics topics) {
        this(config, new StreamRandom(config.seed()), kafka, topics);
    }

    private Trainer(
            TrainerConfig config, StreamRandom random, KafkaClients kafka, PipelineTopics topics) {
        this(
                config,
                random,
                streamingSource(config, kafka, topics.examples(), random),
                publisher(kafka, topics));
    }

    private Trainer(
            TrainerConfig config,
            StreamRandom random,
            BatchSource source,
            ModelUpdatePublisher publisher) {
        this(config, source, publisher, random, List.of(source, publisher));
    }

    /** A trainer over any batch source (tests, benchmarks); closing it closes nothing of theirs. */
    public Trainer(TrainerConfig config, BatchSource source, CheckpointListener listener) {
        this(config, source, listener, new StreamRandom(config.seed()), List.of());
    }

    /**
     * A trainer over a source that draws from {@code random} (e.g. one made by {@link
     * #streamingSource}): the trainer saves its state with every checkpoint and restores it on
     * resume. Closing the trainer closes nothing of theirs.
     */
    public Trainer(
            TrainerConfig config,
            BatchSource source,
            CheckpointListener listener,
            StreamRandom random) {
        this(config, source, listener, random, List.of());
    }

    private Trainer(
            TrainerConfig config,
            BatchSource source,
            CheckpointListener listener,
            StreamRandom random,
            List<AutoCloseable> owned) {
        this.config = config;
        this.source = source;
        this.listener = listener;
        this.random = random;
        this.owned = owned;
        this.store = new CheckpointStore(config.checkpointDir(), config.keepCheckpoints());
        this.metrics = new MetricsLog(config.resolvedMetricsFile());
    }

    /**
     * The streaming reader of {@code topic} the trainer of {@code config} uses: its shuffle buffer,
     * replay and decoder, drawing from {@code random}.
     */
    public static KafkaBatchSource streamingSource(
            TrainerConfig config, KafkaClients kafka, String topic, StreamRandom random) {
        ExampleDecoder decoder =
                new ExampleDecoder(
                        config.model().imageSize(),
                        config.model().vocabSize(),
                        config.tokenizerVersion());
        return new KafkaBatchSource(
                kafka,
                topic,
                config.consumerGroup(),
                config.batchSize(),
                decoder,
                config.model(),
                config.eosId(),
                config.replayAfterIdle(),
                config.shuffle(),
                random);
    }

    /**
     * Called on the training thread when {@link #run} has restored a checkpoint (model, optimizer,
     * generator state and reading position), before the first step: for tools and tests that check
     * what was restored. Set it before {@link #run}.
     */
    public void onResume(BiConsumer<Path, TrainingSession> listener) {
        this.resumeListener = listener;
    }

    private static ModelUpdatePublisher publisher(KafkaClients kafka, PipelineTopics topics) {
        return new ModelUpdatePublisher(kafka, topics.modelUpdates());
    }

    /** Asks a running {@link #run} to stop after its current step (it checkpoints first). */
    public void stop() {
        stopRequested.set(true);
    }

    /** The latest progress of {@link #run}, safe to read from any thread. */
    public TrainingProgress progress() {
        return progress;
    }

    public TrainerConfig config() {
        return config;
    }

    /** Trains until {@code stop} holds or {@link #stop()} is called; see the class comment. */
    public TrainingSummary run(StopCondition stop) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a Trainer runs once; create a new one to resume");
        }
        TrainingSession.setThreads(config.threads());
        store.removeIncomplete();
        EvalSet eval = loadEvalSet();
        Resumed resumed = resume();
        try (TrainingSession session = resumed.session()) {
            return loop(session, resumed.state(), resumed.checkpoint(), stop, eval);
        } catch (IOException e) {
            throw new UncheckedIOException("training from " + resumed.checkpoint() + " failed", e);
        }
    }

    /** A session and where it came from: a checkpoint, or (both null) a new model. */
    private record Resumed(TrainingSession session, TrainingState state, Path checkpoint) {}

    /**
     * Restores the newest checkpoint that loads. One that does not (damaged by a crash or power
     * loss during its write, or since) is logged, set aside and the next older one tried; with none
     * left, a new model starts. A checkpoint that loads but does not fit this run (another
     * tokenizer or model shape) stops the run: that is a configuration error, not damage.
     */
    private Resumed resume() {
        List<Path> candidates = new ArrayList<>(store.checkpoints());
        Collections.reverse(candidates); // newest first
        Device device = Devices.select(config.device());
        int skipped = 0;
        for (Path checkpoint : candidates) {
            TrainingState state;
            try {
                state = CheckpointStore.verify(checkpoint);
            } catch (CheckpointStore.CorruptCheckpointException e) {
                setAside(checkpoint, e);
                skipped++;
                continue;
            }
            checkFits(state, checkpoint);
            TrainingSession session;
            try {
                session =
                        TrainingSession.restore(
                                config.model(),
                                config.optimizer(),
                                config.loss(),
                                config.lit(),
                                checkpoint,
                                device);
            } catch (IOException | RuntimeException e) {
                if (Files.exists(checkpoint.resolve(CheckpointStore.MANIFEST_FILE))) {
                    // Every byte is as written: the failure is not damage (memory, device,
                    // a changed model class). Falling back would silently lose training.
                    throw new IllegalStateException(
                            "checkpoint " + checkpoint + " is intact but cannot be loaded", e);
                }
                setAside(checkpoint, e); // written before manifests: damage cannot be told apart
                skipped++;
                continue;
            }
            LOG.info(
                    "resuming from {} (step {}, {} examples{})",
                    checkpoint,
                    state.step(),
                    state.examplesSeen(),
                    skipped == 0 ? "" : "; " + skipped + " newer damaged checkpoint(s) skipped");
            if (state.rngState() != null) {
                random.setState(state.rngState());
            }
            try {
                source.seek(state.position());
                resumeListener.accept(checkpoint, session);
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
            return new Resumed(session, state, checkpoint);
        }
        if (skipped > 0) {
            LOG.error(
                    "none of the {} checkpoints in {} could be loaded (each set aside, see the"
                            + " warnings above): starting a new model",
                    skipped,
                    store.root());
        }
        LOG.info(
                "starting a new {} model ({}) reading tokenizer {}, checkpoints in {}",
                config.model().name(),
                config.model(),
                Tokenizers.describe(config.tokenizer()),
                store.root());
        try {
            return new Resumed(
                    TrainingSession.create(
                            config.model(),
                            config.optimizer(),
                            config.loss(),
                            config.lit(),
                            config.seed(),
                            device),
                    null,
                    null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a new model", e);
        }
    }

    private void setAside(Path checkpoint, Exception cause) {
        String problem = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        try {
            Path aside = store.setAside(checkpoint);
            LOG.warn(
                    "checkpoint {} cannot be loaded ({}); set aside as {}, trying the one before",
                    checkpoint,
                    problem,
                    aside.getFileName());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "checkpoint "
                            + checkpoint
                            + " cannot be loaded ("
                            + problem
                            + ") nor renamed aside; move it out of "
                            + store.root(),
                    e);
        }
    }

    private EvalSet loadEvalSet() {
        if (config.evalSet() == null) {
            return null;
        }
        // The held-out captions are encoded with the tokenizer the examples were made with.
        CaptionTokenizer tokenizer = config.tokenizer();
        EvalSet set = EvalSet.load(config.evalSet(), config.model(), tokenizer);
        LOG.info(
                "evaluating every {} steps and at the end on {} ({} images, {} pairs)",
                config.evalEvery(),
                config.evalSet(),
                set.imageCount(),
                set.pairCount());
        return set;
    }

    /** Stops the run when a loadable checkpoint was trained with another tokenizer or shape. */
    private void checkFits(TrainingState resumed, Path checkpoint) {
        // Before the shape check: another tokenizer usually also means another vocabulary size,
        // and the tokenizer is what the user has to change.
        if (!config.tokenizerVersion().equals(resumed.tokenizerVersion())) {
            throw new IllegalStateException(
                    "checkpoint "
                            + checkpoint
                            + " was trained with tokenizer "
                            + resumed.tokenizerVersion()
                            + ", but this run is configured with "
                            + config.tokenizerVersion()
                            + ": train with the checkpoint's tokenizer (its copy is "
                            + checkpoint.resolve(Tokenizers.FILE)
                            + " unless it is the byte tokenizer) or use another checkpoint"
                            + " folder");
        }
        if (!resumed.model().equals(config.model())) {
            throw new IllegalStateException(
                    "checkpoint "
                            + checkpoint
                            + " holds a model of another shape ("
                            + resumed.model()
                            + ") than configured ("
                            + config.model()
                            + "); use another checkpoint folder");
        }
    }

    private TrainingSummary loop(
            TrainingSession session,
            TrainingState resumed,
            Path resumedFrom,
            StopCondition stop,
            EvalSet eval)
            throws IOException {
        long startNanos = System.nanoTime();
        long examplesBefore = resumed == null ? 0 : resumed.examplesSeen();
        long skippedBefore = resumed == null ? 0 : resumed.skippedRecords();
        // What batches without a streaming source report (nextOffsets); a streaming source's
        // exact position replaces it at each checkpoint.
        Map<TopicPartition, Long> offsets =
                resumed == null ? new HashMap<>() : new HashMap<>(resumed.offsetMap());
        LossTracker losses =
                new LossTracker(
                        config.logEvery(),
                        resumed == null || resumed.loss() == null
                                ? List.of()
                                : resumed.loss().history());
        long steps = 0;
        long examples = 0;
        Path lastCheckpoint = resumedFrom; // what a run without steps leaves as newest
        long stepsAtCheckpoint = 0;
        long evaluatedStep = -1;
        EvalReport lastEvaluation = null;
        long windowStart = System.nanoTime();
        long windowExamples = 0;
        StopCondition.Reason reason;
        int consecutiveSkips = 0;
        // Where the duration limit counts from: the run's start, or its first batch.
        boolean clockStarted = stop.firstBatchWait() == null;
        long clockStart = startNanos;
        while (true) {
            Optional<StopCondition.Reason> done =
                    shouldStop(stop, steps, startNanos, clockStarted ? clockStart : null);
            if (done.isPresent()) {
                reason = done.get();
                break;
            }
            Optional<TrainingBatch> next = source.next(config.pollTimeout());
            if (next.isEmpty()) {
                continue;
            }
            if (!clockStarted) {
                clockStarted = true;
                clockStart = System.nanoTime();
                LOG.info(
                        "first batch after {} s: training for {}",
                        (clockStart - startNanos) / 1_000_000_000L,
                        stop.maxDuration());
            }
            TrainingBatch batch = next.get();
            TrainingSession.StepResult result = session.step(batch);
            if (result.skipped()) {
                offsets.putAll(batch.nextOffsets()); // dropped, not to be read again
                consecutiveSkips++;
                if (consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
                    throw new IllegalStateException(
                            "training diverged: "
                                    + consecutiveSkips
                                    + " consecutive non-finite gradients at step "
                                    + result.step()
                                    + "; lower the learning rate and resume from the last"
                                    + " checkpoint");
                }
                continue;
            }
            consecutiveSkips = 0;
            long trainedAt = System.currentTimeMillis();
            for (long produced : batch.produceTimes()) {
                if (produced >= 0) {
                    freshness.add(trainedAt - produced);
                }
            }
            steps++;
            examples += batch.size();
            offsets.putAll(batch.nextOffsets());
            windowExamples += batch.size();
            if (losses.add(result.step(), result.loss())) { // a window of logEvery steps closed
                double seconds = (System.nanoTime() - windowStart) / 1e9;
                LatencyStats.Percentiles fresh = freshness.recent();
                progress =
                        new TrainingProgress(
                                result.step(),
                                examplesBefore + examples,
                                losses.windowMean(),
                                windowExamples / seconds,
                                result.temperature(),
                                result.bias(),
                                source.skipped(),
                                lastCheckpoint,
                                fresh.p50Millis(),
                                fresh.p95Millis());
                LOG.info(
                        String.format(
                                Locale.ROOT,
                                "step %d  loss %.4f  %.0f ex/s  lr %.2e  |g| %.2f  t %.3f  b %.3f"
                                        + "  skipped %d  fresh p50 %.0f ms p95 %.0f ms",
                                result.step(),
                                losses.windowMean(),
                                windowExamples / seconds,
                                result.learningRate(),
                                result.gradientNorm(),
                                result.temperature(),
                                result.bias(),
                                source.skipped(),
                                fresh.p50Millis(),
                                fresh.p95Millis()));
                metrics.append(
                        new MetricsLog.Line(
                                result.step(),
                                examplesBefore + examples,
                                losses.windowMean(),
                                windowExamples / seconds,
                                fresh,
                                source.skipped(),
                                source.sampledOut(),
                                Map.of()));
                windowStart = System.nanoTime();
                windowExamples = 0;
            }
            boolean evaluate = eval != null && result.step() % config.evalEvery() == 0;
            if (result.step() % config.checkpointEvery() == 0 || evaluate) {
                EvalReport report = evaluate ? evaluate(session, eval) : null;
                lastCheckpoint =
                        checkpoint(
                                session,
                                examplesBefore + examples,
                                skippedBefore + source.skipped(),
                                offsets,
                                losses,
                                report);
                stepsAtCheckpoint = steps;
                if (evaluate) {
                    evaluatedStep = result.step();
                    lastEvaluation = report;
                    appendEvaluation(session, examplesBefore + examples, losses, report);
                }
            }
        }
        // The last checkpoint is always evaluated: written now, or written again (same step,
        // same offsets) when the run stopped right after a checkpoint without an evaluation.
        boolean evaluateLast = eval != null && steps > 0 && evaluatedStep != session.steps();
        if (steps > stepsAtCheckpoint || evaluateLast) {
            EvalReport report = eval == null ? null : evaluate(session, eval);
            lastCheckpoint =
                    checkpoint(
                            session,
                            examplesBefore + examples,
                            skippedBefore + source.skipped(),
                            offsets,
                            losses,
                            report);
            if (report != null) {
                lastEvaluation = report;
                appendEvaluation(session, examplesBefore + examples, losses, report);
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        TrainingSummary summary =
                new TrainingSummary(
                        steps,
                        session.steps(),
                        examples,
                        examplesBefore + examples,
                        losses.firstMean(),
                        losses.lastMean(),
                        examples / Math.max(1e-9, elapsed.toNanos() / 1e9),
                        source.skipped(),
                        lastCheckpoint,
                        elapsed,
                        reason,
                        lastEvaluation,
                        freshness.recent(),
                        freshness.overall(),
                        source.sampledOut());
        LOG.info(
                String.format(
                        Locale.ROOT,
                        "training stopped (%s): %d steps, %d examples, loss %.4f -> %.4f,"
                                + " %.0f ex/s, freshness p50 %.0f ms p95 %.0f ms, checkpoint %s",
                        reason,
                        summary.steps(),
                        summary.trainedExamples(),
                        summary.firstLoss(),
                        summary.lastLoss(),
                        summary.examplesPerSecond(),
                        summary.freshness().p50Millis(),
                        summary.freshness().p95Millis(),
                        summary.checkpoint()));
        return summary;
    }

    private Optional<StopCondition.Reason> shouldStop(
            StopCondition stop, long steps, long startNanos, Long clockStart) {
        if (stopRequested.get() || Thread.currentThread().isInterrupted()) {
            return Optional.of(StopCondition.Reason.STOPPED);
        }
        if (stop.maxSteps() > 0 && steps >= stop.maxSteps()) {
            return Optional.of(StopCondition.Reason.STEPS);
        }
        long now = System.nanoTime();
        if (clockStart == null) { // waiting for the first batch
            if (now - startNanos >= stop.firstBatchWait().toNanos()) {
                LOG.warn("no batch arrived in {}: giving up", stop.firstBatchWait());
                return Optional.of(StopCondition.Reason.DURATION);
            }
        } else if (stop.maxDuration() != null && now - clockStart >= stop.maxDuration().toNanos()) {
            return Optional.of(StopCondition.Reason.DURATION);
        }
        return Optional.empty();
    }

    private static EvalReport evaluate(TrainingSession session, EvalSet eval) {
        EvalReport report = Evaluator.evaluate(session, eval);
        LOG.info("evaluation at step {}:\n{}", session.steps(), report.toTable());
        return report;
    }

    private Path checkpoint(
            TrainingSession session,
            long examplesSeen,
            long skipped,
            Map<TopicPartition, Long> offsets,
            LossTracker losses,
            EvalReport evaluation)
            throws IOException {
        long step = session.steps();
        Map<String, Double> evalSummary = evaluation == null ? Map.of() : evaluation.summary();
        StreamPosition position = source.position();
        if (position.partitions().isEmpty()) {
            position = StreamPosition.of(offsets);
        }
        LatencyStats.Percentiles fresh = freshness.recent();
        TrainingState state =
                new TrainingState(
                        config.runName() + "/" + CheckpointStore.folderName(step),
                        step,
                        examplesSeen,
                        skipped,
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
                        random.state(),
                        fresh.count() == 0
                                ? null
                                : new TrainingState.Freshness(
                                        fresh.count(), fresh.p50Millis(), fresh.p95Millis()));
        Path path =
                store.write(
                        state,
                        folder -> {
                            session.save(folder);
                            // The checkpoint alone rebuilds its tokenizer (eval, the scorer).
                            Tokenizers.save(config.tokenizer(), folder);
                        });
        LOG.info("checkpoint {} written to {}", state.modelVersion(), path);
        source.checkpointed(position);
        listener.onCheckpoint(path, state);
        return path;
    }

    private void appendEvaluation(
            TrainingSession session, long examplesSeen, LossTracker losses, EvalReport report) {
        metrics.append(
                new MetricsLog.Line(
                        session.steps(),
                        examplesSeen,
                        losses.lastMean(),
                        progress.examplesPerSecond(),
                        freshness.recent(),
                        source.skipped(),
                        source.sampledOut(),
                        report.summary()));
    }

    private ObjectNode configJson() {
        ObjectNode node = JSON.createObjectNode();
        node.set("model", JSON.valueToTree(config.model()));
        node.set("optimizer", JSON.valueToTree(config.optimizer()));
        node.put("batchSize", config.batchSize());
        node.set("loss", JSON.valueToTree(config.loss()));
        node.set("lit", JSON.valueToTree(config.lit()));
        node.put("checkpointEvery", config.checkpointEvery());
        node.put("evalEvery", config.evalEvery());
        node.put("keepCheckpoints", config.keepCheckpoints());
        node.put("checkpointDir", config.checkpointDir().toAbsolutePath().toString());
        node.put("consumerGroup", config.consumerGroup());
        node.put("runName", config.runName());
        node.put("seed", config.seed());
        node.put("threads", config.threads());
        node.put("tokenizerVersion", config.tokenizerVersion());
        node.put(
                "replayAfterIdle",
                config.replayAfterIdle() == null ? null : config.replayAfterIdle().toString());
        node.set("shuffle", JSON.valueToTree(config.shuffle()));
        node.put("metricsFile", config.resolvedMetricsFile().toAbsolutePath().toString());
        node.put(
                "evalSet",
                config.evalSet() == null ? null : config.evalSet().toAbsolutePath().toString());
        return node;
    }

    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c, e.toString());
            }
        }
    }
}
