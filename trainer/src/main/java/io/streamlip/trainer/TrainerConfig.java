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
 * Everything the trainer needs to know, with documented defaults ({@link #defaults()}).
 *
 * @param model the model's shape (default {@link ModelConfig#small} over the byte tokenizer); its
 *     vocabulary must hold the tokenizer's ids ({@link #withTokenizer} sizes it)
 * @param optimizer AdamW and its schedule (default {@link OptimizerConfig#defaults()} with a peak
 *     rate of 5e-4, 100 warmup steps and the cosine over 5000 steps). Measured on the demo's emoji
 *     stream ({@code streamlip bench emoji-learning}, bench/results/emoji-learning-2026-11-27.md):
 *     at batch 128, 2.5e-4 to 5e-4 learn the most in one pass; 1e-3 reaches two thirds of that and
 *     3e-3 (like 2e-3 at batch 32) collapses towards constant embeddings. A cosine ending with the
 *     demo's single pass did not help: the model is far from fitting, and decaying early only slows
 *     it
 * @param batchSize examples per step (default 128: batch 32 at 2e-3 learned nothing beyond chance
 *     on the emoji stream; 64 at 3.5e-4 was no better than 128 at 5e-4)
 * @param checkpointEvery steps between checkpoints; one is also written when the run stops (default
 *     200, about one a minute with the default model and batch on 2 CPU threads)
 * @param evalEvery steps between evaluations of the held-out set ({@code evalSet}), independent of
 *     {@code checkpointEvery}: an evaluation also writes a checkpoint, so its summary is stored
 *     with the parameters it measured and announced; the checkpoint written when the run stops is
 *     always evaluated (default 1000: once in the middle of the demo's run). An evaluation of the
 *     demo's held-out set (8,000 texts) costs 7-20 s of CPU, a checkpoint well under one:
 *     evaluating at every checkpoint would eat a large share of a short CPU run
 * @param keepCheckpoints how many of the newest checkpoints to keep (default 3; at least 2 are
 *     always kept, so the one before the newest is there to fall back on)
 * @param checkpointDir folder holding the {@code step-NNNNNNNN} checkpoint folders (default {@code
 *     checkpoints})
 * @param consumerGroup Kafka consumer group of this trainer (default {@code streamlip-trainer});
 *     several experiments read the same topic with different groups
 * @param runName names the run in model versions ({@code <runName>/step-NNNNNNNN}, default {@code
 *     siglip})
 * @param seed seeds the parameter initialisation (default 42)
 * @param threads PyTorch intra-op threads (default 2; tests use 1)
 * @param logEvery steps between progress log lines (default 10)
 * @param tokenizer the tokenizer the model reads (default the byte tokenizer; name one with {@link
 *     io.streamlip.tokenize.Tokenizers#load}): examples of another version are skipped, its
 *     end-of-sequence id ends truncated captions, the held-out set is encoded with it and every
 *     checkpoint carries a copy of it, so {@code streamlip eval} rebuilds it from the checkpoint
 * @param pollTimeout how long to wait for a batch before checking the stop conditions again
 *     (default 1 s)
 * @param evalSet a held-out evaluation set (pairs folder) evaluated every {@code evalEvery} steps
 *     and at the end, its summary stored in that checkpoint's {@code state.json} and announced;
 *     null for none (default)
 * @param replayAfterIdle when the examples topic has delivered nothing new for this long, read it
 *     again from its earliest retained record (another pass over a finite stream); null never
 *     replays (default: a streaming trainer waits for new data). {@code streamlip demo} sets it:
 *     its corpus is one finite import that the default model trains through in about 3 of its 8
 *     minutes, and a second pass raised held-out recall@1 by half (see {@code batchSize})
 * @param loss the loss and its chunking (default {@link LossConfig#defaults()}: the whole-matrix
 *     sigmoid loss)
 * @param lit locked-image tuning: the image tower taken from a checkpoint and frozen; null trains
 *     both towers (default)
 * @param device where the model trains: {@link DeviceChoice#AUTO} (default) takes the GPU when DJL
 *     sees one, which needs the {@code cuda} build (README, "Running on a CUDA host")
 * @param shuffle the streaming reader's shuffle buffer (spilling to RocksDB beyond its heap part),
 *     backpressure and per-language sampling (default {@link ShuffleConfig#defaults()}: 2048
 *     examples, 1024 of them on the heap)
 * @param metricsFile JSON-lines file a line is appended to every {@code logEvery} steps and at
 *     every evaluation (step, examples, loss, examples/s, freshness p50/p95, eval metrics); null
 *     for {@code metrics.jsonl} in {@code checkpointDir} (default)
 */
public record TrainerConfig(
        ModelConfig model,
        OptimizerConfig optimizer,
        int batchSize,
        int checkpointEvery,
        int evalEvery,
        int keepCheckpoints,
        Path checkpointDir,
        String consumerGroup,
        String runName,
        int seed,
        int threads,
        int logEvery,
        CaptionTokenizer tokenizer,
        Duration pollTimeout,
        Path evalSet,
        Duration replayAfterIdle,
        LossConfig loss,
        LitConfig lit,
        DeviceChoice device,
        ShuffleConfig shuffle,
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
