package io.streamlip.trainer;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the trainer needs to know, with documented defaults ({@link #defaults()}).
 *
 * @param model the model's shape (default {@link ModelConfig#small} over the byte tokenizer)
 * @param optimizer AdamW and its schedule (default {@link OptimizerConfig#defaults()} with a peak
 *     rate of 2e-3, 50 warmup steps and the cosine over 5000 steps: what learned fastest in CPU
 *     minutes; set {@code scheduleSteps} to the run's expected length when it is known)
 * @param batchSize examples per step (default 32: on CPU, more steps beat bigger batches)
 * @param checkpointEvery steps between checkpoints; one is also written when the run stops (default
 *     200)
 * @param evalEvery steps between evaluations of the held-out set ({@code evalSet}), independent of
 *     {@code checkpointEvery}: an evaluation also writes a checkpoint, so its summary is stored
 *     with the parameters it measured and announced; the checkpoint written when the run stops is
 *     always evaluated (default 1000). An evaluation of the demo's set (8,000 texts) costs 10-20 s
 *     of CPU, so evaluating every checkpoint would eat a large share of a short CPU run
 * @param keepCheckpoints how many of the newest checkpoints to keep (default 3)
 * @param checkpointDir folder holding the {@code step-NNNNNNNN} checkpoint folders (default {@code
 *     checkpoints})
 * @param consumerGroup Kafka consumer group of this trainer (default {@code streamlip-trainer});
 *     several experiments read the same topic with different groups
 * @param runName names the run in model versions ({@code <runName>/step-NNNNNNNN}, default {@code
 *     siglip})
 * @param seed seeds the parameter initialisation (default 42)
 * @param threads PyTorch intra-op threads (default 2; tests use 1)
 * @param logEvery steps between progress log lines (default 10)
 * @param tokenizerVersion the tokenizer the model was built for; examples from another are skipped
 *     (default the byte tokenizer's, {@code bytes-v1})
 * @param eosId end-of-sequence id of that tokenizer, put at the end of truncated captions (default
 *     1)
 * @param pollTimeout how long to wait for a batch before checking the stop conditions again
 *     (default 1 s)
 * @param evalSet a held-out evaluation set (pairs folder) evaluated every {@code evalEvery} steps
 *     and at the end, its summary stored in that checkpoint's {@code state.json} and announced;
 *     null for none (default)
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
        String tokenizerVersion,
        int eosId,
        Duration pollTimeout,
        Path evalSet) {

    public TrainerConfig {
        if (model == null || optimizer == null || checkpointDir == null) {
            throw new IllegalArgumentException("model, optimizer and checkpointDir must be set");
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
                OptimizerConfig.defaults().withLearningRate(2e-3).withSchedule(50, 5000),
                32,
                200,
                1000,
                3,
                Path.of("checkpoints"),
                "streamlip-trainer",
                "siglip",
                42,
                2,
                10,
                tokenizer.version(),
                ByteTokenizer.EOS,
                Duration.ofSeconds(1),
                null);
    }

    public TrainerConfig withModel(ModelConfig m) {
        return new TrainerConfig(
                m,
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
                tokenizerVersion,
                eosId,
                pollTimeout,
                evalSet);
    }

    public TrainerConfig withOptimizer(OptimizerConfig o) {
        return new TrainerConfig(
                model,
                o,
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
                tokenizerVersion,
                eosId,
                pollTimeout,
                evalSet);
    }

    public TrainerConfig withBatchSize(int b) {
        return new TrainerConfig(
                model,
                optimizer,
                b,
                checkpointEvery,
                evalEvery,
                keepCheckpoints,
                checkpointDir,
                consumerGroup,
                runName,
                seed,
                threads,
                logEvery,
                tokenizerVersion,
                eosId,
                pollTimeout,
                evalSet);
    }

    public TrainerConfig withCheckpoints(Path dir, int every, int keep) {
        return new TrainerConfig(
                model,
                optimizer,
                batchSize,
                every,
                evalEvery,
                keep,
                dir,
                consumerGroup,
                runName,
                seed,
                threads,
                logEvery,
                tokenizerVersion,
                eosId,
                pollTimeout,
                evalSet);
    }

    /** The same configuration evaluating the held-out set every {@code every} steps. */
    public TrainerConfig withEvalEvery(int every) {
        return new TrainerConfig(
                model,
                optimizer,
                batchSize,
                checkpointEvery,
                every,
                keepCheckpoints,
                checkpointDir,
                consumerGroup,
                runName,
                seed,
                threads,
                logEvery,
                tokenizerVersion,
                eosId,
                pollTimeout,
                evalSet);
    }

    public TrainerConfig withConsumerGroup(String group) {
        return new TrainerConfig(
                model,
                optimizer,
                batchSize,
                checkpointEvery,
                evalEvery,
                keepCheckpoints,
                checkpointDir,
                group,
                runName,
                seed,
                threads,
                logEvery,
                tokenizerVersion,
                eosId,
                pollTimeout,
                evalSet);
    }

    public TrainerConfig withRunName(String name) {
        return new TrainerConfig(
                model,
                optimizer,
                batchSize,
                checkpointEvery,
                evalEvery,
                keepCheckpoints,
                checkpointDir,
                consumerGroup,
                name,
                seed,
                threads,
                logEvery,
                tokenizerVersion,
                eosId,
                pollTimeout,
                evalSet);
    }

    public TrainerConfig withSeed(int s) {
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
                s,
                threads,
                logEvery,
                tokenizerVersion,
                eosId,
                pollTimeout,
                evalSet);
    }

    public TrainerConfig withThreads(int t) {
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
                t,
                logEvery,
                tokenizerVersion,
                eosId,
                pollTimeout,
                evalSet);
    }

    public TrainerConfig withLogEvery(int n) {
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
                n,
                tokenizerVersion,
                eosId,
                pollTimeout,
                evalSet);
    }

    public TrainerConfig withPollTimeout(Duration d) {
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
                tokenizerVersion,
                eosId,
                d,
                evalSet);
    }

    public TrainerConfig withEvalSet(Path folder) {
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
                tokenizerVersion,
                eosId,
                pollTimeout,
                folder);
    }
}
