package io.streamlip.trainer;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.trainer.data.ShuffleConfig;
import io.streamlip.trainer.device.DeviceChoice;
import io.streamlip.trainer.device.Devices;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.model.LitConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the trainer needs to know, with documented defaults ({@link #defaults()}). Each
 * component's comment below says what it is and its default; why the defaults are what they are is
 * in docs/decisions/trainer-defaults.md.
 */
public record TrainerConfig(
        // model shape; default ModelConfig.small over the byte tokenizer (withTokenizer sizes its
        // vocabulary)
        ModelConfig model,
        // AdamW and its schedule; default peak rate 5e-4, 100 warmup steps, cosine over 5000 steps
        OptimizerConfig optimizer,
        // examples per step; default 128
        int batchSize,
        // steps between checkpoints, one more when the run stops; default 200
        int checkpointEvery,
        // steps between held-out evaluations (each also checkpoints; the final checkpoint is always
        // evaluated); default 1000
        int evalEvery,
        // newest checkpoints kept, never fewer than 2; default 3
        int keepCheckpoints,
        // folder of the step-NNNNNNNN checkpoint folders; default "checkpoints"
        Path checkpointDir,
        // Kafka consumer group (experiments on one topic use different groups); default
        // "streamlip-trainer"
        String consumerGroup,
        // names model versions <runName>/step-NNNNNNNN; default "siglip"
        String runName,
        // seeds the parameter initialisation; default 42
        int seed,
        // PyTorch intra-op threads; default 2 (tests use 1)
        int threads,
        // steps between progress log lines; default 10
        int logEvery,
        // tokenizer the model reads; others' examples are skipped, each checkpoint keeps a copy;
        // default the byte tokenizer
        CaptionTokenizer tokenizer,
        // wait for a batch before checking the stop conditions again; default 1 s
        Duration pollTimeout,
        // held-out pairs folder, evaluated every evalEvery steps and at the end; default null
        // (none)
        Path evalSet,
        // re-read the topic from its earliest record after this long idle; default null (never)
        Duration replayAfterIdle,
        // the loss and its chunking; default LossConfig.defaults(), the whole-matrix sigmoid loss
        LossConfig loss,
        // locked-image tuning (image tower from a checkpoint, frozen); default null (both towers
        // train)
        LitConfig lit,
        // where the model trains; default AUTO (the GPU when DJL sees one, needs the cuda build)
        DeviceChoice device,
        // shuffle buffer, backpressure, language sampling; default ShuffleConfig.defaults() (2048,
        // 1024 on heap)
        ShuffleConfig shuffle,
        // JSON-lines metrics every logEvery steps and each evaluation; default null
        // (checkpointDir/metrics.jsonl)
        Path metricsFile) {

    public TrainerConfig {
        if (loss == null) {
            loss = LossConfig.defaults();
        }
        if (shuffle == null) {
            throw new IllegalArgumentException("shuffle must be set");
        }
        if (shuffle.capacity() < batchSize) {
            throw new IllegalArgumentException(
                    "the shuffle buffer ("
                            + shuffle.capacity()
                            + ") must hold at least one batch ("
                            + batchSize
                            + ")");
        }
        if (model == null || optimizer == null || checkpointDir == null || tokenizer == null) {
            throw new IllegalArgumentException(
                    "model, optimizer, checkpointDir and tokenizer must be set");
        }
        if (model.vocabSize() < tokenizer.vocabSize()) {
            throw new IllegalArgumentException(
                    "the model's vocabulary ("
                            + model.vocabSize()
                            + " ids) is smaller than the tokenizer's ("
                            + tokenizer.version()
                            + ", "
                            + tokenizer.vocabSize()
                            + " ids): set the model after the tokenizer, or size it with"
                            + " ModelConfig.withVocabSize");
        }
        if (batchSize < 2) {
            throw new IllegalArgumentException(
                    "batchSize must be at least 2 (the loss needs negatives), got " + batchSize);
        }
        if (checkpointEvery < 1
                || evalEvery < 1
                || keepCheckpoints < 1
                || threads < 1
                || logEvery < 1) {
            throw new IllegalArgumentException(
                    "checkpointEvery, evalEvery, keepCheckpoints, threads and logEvery must be"
                            + " positive");
        }
        if (replayAfterIdle != null && (replayAfterIdle.isNegative() || replayAfterIdle.isZero())) {
            throw new IllegalArgumentException(
                    "replayAfterIdle must be positive (or null for never), got " + replayAfterIdle);
        }
        if (device == null) {
            throw new IllegalArgumentException("device must be set (auto, cpu or gpu)");
        }
        if (consumerGroup == null
                || consumerGroup.isBlank()
                || runName == null
                || runName.isBlank()) {
            throw new IllegalArgumentException("consumerGroup and runName must be set");
        }
    }

    /** The documented defaults. */
    public static TrainerConfig defaults() {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        return new TrainerConfig(
                ModelConfig.small(tokenizer.vocabSize()),
                OptimizerConfig.defaults().withLearningRate(5e-4).withSchedule(100, 5000),
                128,
                200,
                1000,
                3,
                Path.of("checkpoints"),
                "streamlip-trainer",
                "siglip",
                42,
                2,
                10,
                tokenizer,
                Duration.ofSeconds(1),
                null,
                null,
                LossConfig.defaults(),
                null,
                DeviceChoice.AUTO,
                ShuffleConfig.defaults(),
                null);
    }

    /** The version of {@link #tokenizer()}: the only one whose examples are trained on. */
    public String tokenizerVersion() {
        return tokenizer.version();
    }

    /** The tokenizer's end-of-sequence id, put at the end of truncated captions. */
    public int eosId() {
        return tokenizer.eosId();
    }

    /**
     * The same configuration reading {@code t}'s ids: the model's vocabulary becomes {@code t}'s
     * size (the rest of its shape stays).
     */
    public TrainerConfig withTokenizer(CaptionTokenizer t) {
        return toBuilder().tokenizer(t).model(model.withVocabSize(t.vocabSize())).build();
    }

    /**
     * Where the metrics lines go: {@code metricsFile}, else {@code checkpointDir/metrics.jsonl}.
     */
    public Path resolvedMetricsFile() {
        return metricsFile != null ? metricsFile : checkpointDir.resolve("metrics.jsonl");
    }

    /** The same configuration with another shuffle buffer. */
    public TrainerConfig withShuffle(ShuffleConfig s) {
        return toBuilder().shuffle(s).build();
    }

    /** The same configuration appending its metrics lines to {@code file}. */
    public TrainerConfig withMetricsFile(Path file) {
        return toBuilder().metricsFile(file).build();
    }

    public TrainerConfig withModel(ModelConfig m) {
        return toBuilder().model(m).build();
    }

    public TrainerConfig withOptimizer(OptimizerConfig o) {
        return toBuilder().optimizer(o).build();
    }

    /**
     * The same configuration with batches of {@code b}; a shuffle buffer smaller than one batch
     * grows to one.
     */
    public TrainerConfig withBatchSize(int b) {
        Builder builder = toBuilder().batchSize(b);
        if (shuffle.capacity() < b) {
            builder.shuffle(ShuffleConfig.of(b, Math.max(b, shuffle.memoryCapacity())));
        }
        return builder.build();
    }

    /** The same configuration checkpointing into {@code dir} every {@code every} steps. */
    public TrainerConfig withCheckpoints(Path dir, int every, int keep) {
        return toBuilder().checkpointDir(dir).checkpointEvery(every).keepCheckpoints(keep).build();
    }

    /** The same configuration evaluating the held-out set every {@code every} steps. */
    public TrainerConfig withEvalEvery(int every) {
        return toBuilder().evalEvery(every).build();
    }

    public TrainerConfig withConsumerGroup(String group) {
        return toBuilder().consumerGroup(group).build();
    }

    public TrainerConfig withRunName(String name) {
        return toBuilder().runName(name).build();
    }

    public TrainerConfig withSeed(int s) {
        return toBuilder().seed(s).build();
    }

    public TrainerConfig withThreads(int t) {
        return toBuilder().threads(t).build();
    }

    public TrainerConfig withLogEvery(int n) {
        return toBuilder().logEvery(n).build();
    }

    public TrainerConfig withPollTimeout(Duration d) {
        return toBuilder().pollTimeout(d).build();
    }

    public TrainerConfig withEvalSet(Path folder) {
        return toBuilder().evalSet(folder).build();
    }

    /** The same configuration replaying the topic after it was idle for {@code idle} (or never). */
    public TrainerConfig withReplayAfterIdle(Duration idle) {
        return toBuilder().replayAfterIdle(idle).build();
    }

    /** The same configuration training with {@code l}. */
    public TrainerConfig withLoss(LossConfig l) {
        return toBuilder().loss(l).build();
    }

    /** The same configuration with the image tower locked as {@code l} says (null: unlocked). */
    public TrainerConfig withLit(LitConfig l) {
        return toBuilder().lit(l).build();
    }

    /** The same configuration training on {@code choice} (see {@link Devices#select}). */
    public TrainerConfig withDevice(DeviceChoice choice) {
        return toBuilder().device(choice).build();
    }

    private Builder toBuilder() {
        return new Builder(this);
    }

    /** Copies a configuration, changes some fields and validates the result in {@link #build}. */
    private static final class Builder {
        private ModelConfig model;
        private OptimizerConfig optimizer;
        private int batchSize;
        private int checkpointEvery;
        private int evalEvery;
        private int keepCheckpoints;
        private Path checkpointDir;
        private String consumerGroup;
        private String runName;
        private int seed;
        private int threads;
        private int logEvery;
        private CaptionTokenizer tokenizer;
        private Duration pollTimeout;
        private Path evalSet;
        private Duration replayAfterIdle;
        private LossConfig loss;
        private LitConfig lit;
        private DeviceChoice device;
        private ShuffleConfig shuffle;
        private Path metricsFile;

        Builder(TrainerConfig c) {
            model = c.model;
            optimizer = c.optimizer;
            batchSize = c.batchSize;
            checkpointEvery = c.checkpointEvery;
            evalEvery = c.evalEvery;
            keepCheckpoints = c.keepCheckpoints;
            checkpointDir = c.checkpointDir;
            consumerGroup = c.consumerGroup;
            runName = c.runName;
            seed = c.seed;
            threads = c.threads;
            logEvery = c.logEvery;
            tokenizer = c.tokenizer;
            pollTimeout = c.pollTimeout;
            evalSet = c.evalSet;
            replayAfterIdle = c.replayAfterIdle;
            loss = c.loss;
            lit = c.lit;
            device = c.device;
            shuffle = c.shuffle;
            metricsFile = c.metricsFile;
        }

        Builder tokenizer(CaptionTokenizer v) {
            tokenizer = v;
            return this;
        }

        Builder loss(LossConfig v) {
            loss = v;
            return this;
        }

        Builder lit(LitConfig v) {
            lit = v;
            return this;
        }

        Builder shuffle(ShuffleConfig v) {
            shuffle = v;
            return this;
        }

        Builder metricsFile(Path v) {
            metricsFile = v;
            return this;
        }

        Builder model(ModelConfig v) {
            model = v;
            return this;
        }

        Builder optimizer(OptimizerConfig v) {
            optimizer = v;
            return this;
        }

        Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        Builder evalEvery(int v) {
            evalEvery = v;
            return this;
        }

        Builder keepCheckpoints(int v) {
            keepCheckpoints = v;
            return this;
        }

        Builder checkpointDir(Path v) {
            checkpointDir = v;
            return this;
        }

        Builder consumerGroup(String v) {
            consumerGroup = v;
            return this;
        }

        Builder runName(String v) {
            runName = v;
            return this;
        }

        Builder seed(int v) {
            seed = v;
            return this;
        }

        Builder threads(int v) {
            threads = v;
            return this;
        }

        Builder logEvery(int v) {
            logEvery = v;
            return this;
        }

        Builder pollTimeout(Duration v) {
            pollTimeout = v;
            return this;
        }

        Builder evalSet(Path v) {
            evalSet = v;
            return this;
        }

        Builder replayAfterIdle(Duration v) {
            replayAfterIdle = v;
            return this;
        }

        Builder device(DeviceChoice v) {
            device = v;
            return this;
        }

        TrainerConfig build() {
            return new TrainerConfig(
                    model,
                    optimizer,
                    batchSize,
                    checkpointEvery,
                    evalEvery,
                    keepCheckpoints,
                    checkpointDir,
                    consumerGroup,
                    runName,
                    seed,
                    threads,
                    logEvery,
                    tokenizer,
                    pollTimeout,
                    evalSet,
                    replayAfterIdle,
                    loss,
                    lit,
                    device,
                    shuffle,
                    metricsFile);
        }
    }
}
