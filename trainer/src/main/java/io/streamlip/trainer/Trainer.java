package io.streamlip.trainer;

import ai.djl.Device;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.checkpoint.CheckpointListener;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.ModelUpdatePublisher;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.ExampleDecoder;
import io.streamlip.trainer.data.KafkaBatchSource;
import io.streamlip.trainer.data.PrefetchingBatchSource;
import io.streamlip.trainer.data.StreamRandom;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.device.Devices;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
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
 * <p>The loop only takes a batch, steps and tells the run's {@link TrainingListener}s; each concern
 * (progress log, metrics file, freshness, divergence guard, evaluation, checkpoint-and-announce,
 * the summary) is one of them.
 *
 * <p>{@link #run} blocks the calling thread until a {@link StopCondition} holds or {@link #stop()}
 * is called from another thread. A trainer runs once; {@link #close()} releases the Kafka clients.
 */
public final class Trainer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainerConfig config;
    private final BatchSource source;
    private final CheckpointListener announcer;
    private final List<AutoCloseable> owned;
    private final CheckpointStore store;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final StreamRandom random;
    private volatile TrainingRun run;
    private volatile int threadsWanted;
    private volatile long examplesTrained;
    private volatile BiConsumer<Path, TrainingSession> resumeListener = (path, session) -> {};
    private volatile Consumer<TrainedStep> trainedObserver = step -> {};

    private Trainer(
            TrainerConfig config,
            BatchSource source,
            CheckpointListener announcer,
            StreamRandom random,
            List<AutoCloseable> owned) {
        this.config = config;
        this.source = source;
        this.announcer = announcer;
        this.random = random;
        this.owned = owned;
        this.store = new CheckpointStore(config.checkpointDir(), config.keepCheckpoints());
    }

    /**
     * A trainer reading {@code topics.examples()} with {@code config.consumerGroup()} and
     * announcing checkpoints on {@code topics.modelUpdates()}. The topics must exist; closing the
     * trainer closes its reader and publisher.
     */
    public static Trainer create(TrainerConfig config, KafkaClients kafka, PipelineTopics topics) {
        StreamRandom random = new StreamRandom(config.seed());
        KafkaBatchSource source = streamingSource(config, kafka, topics.examples(), random);
        ModelUpdatePublisher publisher;
        try {
            publisher = new ModelUpdatePublisher(kafka, topics.modelUpdates());
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        return new Trainer(config, source, publisher, random, List.of(source, publisher));
    }

    /**
     * A trainer over any batch source (tests, benchmarks) that tells {@code announcer} of each
     * checkpoint; closing it closes nothing of theirs.
     */
    public static Trainer create(
            TrainerConfig config, BatchSource source, CheckpointListener announcer) {
        return create(config, source, announcer, new StreamRandom(config.seed()));
    }

    /**
     * A trainer over a source that draws from {@code random} (e.g. one made by {@link
     * #streamingSource}): the trainer saves its state with every checkpoint and restores it on
     * resume. Closing the trainer closes nothing of theirs.
     */
    public static Trainer create(
            TrainerConfig config,
            BatchSource source,
            CheckpointListener announcer,
            StreamRandom random) {
        return new Trainer(config, source, announcer, random, List.of());
    }

    /**
     * The streaming reader of {@code topic} the trainer of {@code config} uses: its shuffle buffer,
     * replay and decoder, drawing from {@code random}.
     */
    public static KafkaBatchSource streamingSource(
            TrainerConfig config, KafkaClients kafka, String topic, StreamRandom random) {
        ExampleDecoder decoder = exampleDecoder(config);
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
     * How the trainer of {@code config} reads an {@code examples} record: at the model's image
     * size, with token ids from the configured tokenizer. A CLIPPO model reads the rendered caption
     * and never a token, so its decoder requires {@code rendered_text} and accepts ids of any
     * tokenizer (no {@code tokenizer_version} check, no vocabulary bound).
     */
    public static ExampleDecoder exampleDecoder(TrainerConfig config) {
        ModelConfig model = config.model();
        boolean clippo = model.family() == ModelFamily.CLIPPO;
        return new ExampleDecoder(
                model.imageSize(),
                clippo ? Integer.MAX_VALUE : model.vocabSize(),
                clippo ? null : config.tokenizerVersion(),
                clippo);
    }

    /**
     * Called on the training thread when {@link #run} has restored a checkpoint (model, optimizer,
     * generator state and reading position), before the first step: for tools and tests that check
     * what was restored. Set it before {@link #run}.
     */
    public void onResume(BiConsumer<Path, TrainingSession> listener) {
        this.resumeListener = listener;
    }

    /**
     * Called on the training thread after each applied step, once the run's own concerns have been
     * told: for callers that follow the trainer's progress per step (the demo paces its import by
     * it). It must return quickly. Set it before {@link #run}.
     */
    public void onTrained(Consumer<TrainedStep> observer) {
        this.trainedObserver = observer;
    }

    /**
     * Asks a running {@link #run} to use {@code threads} intra-op threads from its next step on
     * (e.g. fewer while other work shares the cores); the run starts with {@code config.threads()}.
     * Safe to call from any thread.
     */
    public void useThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        threadsWanted = threads;
    }

    /**
     * Where the training loop's time has gone since this trainer was made (waiting for batches,
     * steps, each concern). Safe to read from any thread.
     */
    public LoopTimes loopTimes() {
        return loopTimes;
    }

    /**
     * Tells the trainer's source whether its input is complete for now ({@link
     * BatchSource#inputComplete}): a trainer that replays a finite stream then reads it again as
     * soon as it has trained the last record, instead of idling for {@code replayAfterIdle}. Safe
     * to call from any thread.
     */
    public void inputComplete(boolean complete) {
        source.inputComplete(complete);
    }

    /** Asks a running {@link #run} to stop after its current step (it checkpoints first). */
    public void stop() {
        stopRequested.set(true);
    }

    private volatile Instant firstBatchAt;
    private final LoopTimes loopTimes = new LoopTimes();

    /**
     * When the latest {@link #run} got its first batch (training time counts from there); empty
     * before. Safe to read from any thread.
     */
    public Optional<Instant> firstBatchTime() {
        return Optional.ofNullable(firstBatchAt);
    }

    /**
     * Examples trained on in total (a resumed checkpoint's included) after the latest step of
     * {@link #run}; unlike {@link #progress()} updated at every step. Safe to read from any thread.
     */
    public long examplesTrained() {
        return examplesTrained;
    }

    /** The latest progress of {@link #run}, safe to read from any thread. */
    public TrainingProgress progress() {
        TrainingRun current = run;
        return current == null ? TrainingProgress.NONE : current.progress();
    }

    public TrainerConfig config() {
        return config;
    }

    /** Trains until {@code stop} holds or {@link #stop()} is called; see the class comment. */
    public TrainingSummary run(StopCondition stop) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a Trainer runs once; create a new one to resume");
        }
        if (threadsWanted == 0) {
            threadsWanted = config.threads();
        }
        TrainingSession.setThreads(threadsWanted);
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
            TrainingSession session =
                    TrainingSession.create(
                            config.model(),
                            config.optimizer(),
                            config.loss(),
                            config.lit(),
                            config.seed(),
                            device);
            if (config.initFrom() != null) {
                try {
                    initialise(session);
                } catch (IOException | RuntimeException e) {
                    session.close();
                    throw e;
                }
            }
            return new Resumed(session, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a new model", e);
        }
    }

    /**
     * Loads {@code initFrom}'s parameters into a new model: only a checkpoint of this run's model
     * shape (its name aside) and tokenizer; a LiT image tower is loaded again afterwards, so it
     * stays the one {@code --lit-from} named.
     */
    private void initialise(TrainingSession session) throws IOException {
        Path folder = CheckpointStore.resolve(config.initFrom());
        TrainingState state = CheckpointStore.readState(folder);
        ModelConfig theirs = state.model().toBuilder().name(config.model().name()).build();
        if (!theirs.equals(config.model())) {
            throw new IllegalArgumentException(
                    "the model of "
                            + folder
                            + " ("
                            + state.model()
                            + ") is not this run's ("
                            + config.model()
                            + "): give the preset it was made with (--model)");
        }
        if (!state.tokenizerVersion().equals(config.tokenizerVersion())) {
            throw new IllegalArgumentException(
                    folder
                            + " reads tokenizer "
                            + state.tokenizerVersion()
                            + ", this run "
                            + config.tokenizerVersion()
                            + ": give its tokenizer (--tokenizer "
                            + folder
                            + ")");
        }
        session.loadParameters(folder.resolve(TrainingSession.PARAMETERS_FILE));
        if (config.lit() != null) {
            session.loadImageTower(config.lit().imageCheckpoint());
        }
        LOG.info("new model initialised from {} ({})", folder, state.modelVersion());
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
        EvalSet set =
                config.model().family() == ModelFamily.CLIPPO
                        ? EvalSet.load(
                                config.evalSet(),
                                config.model(),
                                null,
                                ClippoRendering.open(config.render()))
                        : EvalSet.load(config.evalSet(), config.model(), tokenizer);
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

    /**
     * Takes a batch, steps, tells the listeners; at the end, tells them again. With {@code
     * prefetchBatches} the batches are read on a thread of their own while the step runs.
     */
    private TrainingSummary loop(
            TrainingSession session,
            TrainingState resumed,
            Path resumedFrom,
            StopCondition stop,
            EvalSet eval)
            throws IOException {
        PrefetchingBatchSource prefetching =
                config.prefetchBatches() == 0
                        ? null
                        : new PrefetchingBatchSource(
                                source, config.prefetchBatches(), random::state);
        try {
            BatchSource batches = prefetching == null ? source : prefetching;
            LongSupplier randomState =
                    prefetching == null ? random::state : prefetching::randomState;
            return loop(session, batches, randomState, resumed, resumedFrom, stop, eval);
        } finally {
            if (prefetching != null) {
                prefetching.close(); // after the last checkpoint: makes its commit
            }
        }
    }

    private TrainingSummary loop(
            TrainingSession session,
            BatchSource batches,
            LongSupplier randomState,
            TrainingState resumed,
            Path resumedFrom,
            StopCondition stop,
            EvalSet eval)
            throws IOException {
        TrainingRun current =
                new TrainingRun(session, batches, config.logEvery(), resumed, resumedFrom);
        run = current;
        RunClock clock = new RunClock(stop, current.startNanos(), stopRequested::get);
        SummaryLogger summary = new SummaryLogger();
        List<TrainingListener> listeners = listeners(eval, summary, randomState);
        int threads = threadsWanted;
        Optional<StopCondition.Reason> done;
        while ((done = clock.check(current.steps())).isEmpty()) {
            long waitStart = System.nanoTime();
            Optional<TrainingBatch> batch = batches.next(config.pollTimeout());
            loopTimes.add(LoopTimes.BATCH, System.nanoTime() - waitStart);
            if (batch.isEmpty()) {
                continue;
            }
            clock.batchArrived();
            if (firstBatchAt == null) {
                firstBatchAt = Instant.now();
            }
            if (threadsWanted != threads) {
                // On this thread: PyTorch's OpenMP thread count is the calling thread's setting.
                threads = threadsWanted;
                TrainingSession.setThreads(threads);
                LOG.info(
                        "training with {} intra-op threads from step {}", threads, current.steps());
            }
            long stepStart = System.nanoTime();
            TrainingSession.StepResult result = session.step(batch.get());
            loopTimes.addStep(System.nanoTime() - stepStart);
            StepEvent step = current.record(batch.get(), result);
            examplesTrained = current.examplesSeen();
            for (TrainingListener listener : listeners) {
                long listenerStart = System.nanoTime();
                if (result.skipped()) {
                    listener.onSkippedStep(current, step);
                } else {
                    listener.onStep(current, step);
                }
                loopTimes.add(
                        listener.getClass().getSimpleName(), System.nanoTime() - listenerStart);
            }
            if (!result.skipped()) {
                TrainingBatch trained = batch.get();
                trainedObserver.accept(
                        new TrainedStep(
                                result.step(),
                                trained.size(),
                                trained.nextOffsets(),
                                trained.produceTimes(),
                                System.currentTimeMillis(),
                                batches.sampledOut() + batches.skipped()));
            }
        }
        current.stopped(done.get());
        for (TrainingListener listener : listeners) {
            listener.onEnd(current);
        }
        return summary.summary();
    }

    /** The run's concerns, in the order they are told of each step. */
    private List<TrainingListener> listeners(
            EvalSet eval, SummaryLogger summary, LongSupplier randomState) {
        List<TrainingListener> listeners = new ArrayList<>();
        listeners.add(new DivergenceGuard());
        listeners.add(new FreshnessRecorder());
        listeners.add(new ProgressLogger());
        if (eval != null) {
            listeners.add(new PeriodicEvaluation(eval, config.evalEvery()));
        }
        listeners.add(new Checkpointer(config, store, randomState, announcer));
        listeners.add(new MetricsLog(config.resolvedMetricsFile()));
        listeners.add(summary);
        return listeners;
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
