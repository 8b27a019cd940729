package io.streamlip.trainer.optim;

/**
 * Settings of {@link AdamW} and its {@link LearningRateSchedule}
 * (docs/decisions/trainer-defaults.md).
 *
 * @param learningRate peak learning rate, reached at the end of the warmup (default 1e-3)
 * @param minLearningRate where the cosine decay ends, staying there afterwards (default 1e-5)
 * @param warmupSteps steps of linear warmup from 0 (default 100)
 * @param scheduleSteps step at which the cosine decay reaches {@code minLearningRate} (default
 *     5000)
 * @param beta1 first-moment decay (default 0.9)
 * @param beta2 second-moment decay (default 0.95: SigLIP's choice for stability)
 * @param epsilon added to the second moment's root (default 1e-8)
 * @param weightDecay decoupled decay of matrices, never norms, biases, t' and b (default 1e-4)
 * @param clipNorm largest global L2 gradient norm, 0 turning clipping off (default 1.0)
 */
public record OptimizerConfig(
        double learningRate,
        double minLearningRate,
        int warmupSteps,
        int scheduleSteps,
        double beta1,
        double beta2,
        double epsilon,
        double weightDecay,
        double clipNorm) {

    public OptimizerConfig {
        if (!(learningRate > 0) || minLearningRate < 0 || minLearningRate > learningRate) {
            throw new IllegalArgumentException(
                    "need 0 <= minLearningRate <= learningRate and learningRate > 0, got "
                            + minLearningRate
                            + " and "
                            + learningRate);
        }
        if (warmupSteps < 0 || scheduleSteps < 1) {
            throw new IllegalArgumentException(
                    "warmupSteps must be >= 0 and scheduleSteps >= 1, got "
                            + warmupSteps
                            + " and "
                            + scheduleSteps);
        }
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
            throw new IllegalArgumentException(
                    "betas must lie in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (weightDecay < 0 || clipNorm < 0 || !(epsilon > 0)) {
            throw new IllegalArgumentException(
                    "weightDecay and clipNorm must be >= 0 and epsilon > 0");
        }
    }

    /** The documented defaults. */
    public static OptimizerConfig defaults() {
        return new OptimizerConfig(1e-3, 1e-5, 100, 5000, 0.9, 0.95, 1e-8, 1e-4, 1.0);
    }

    /**
     * The same settings with another peak rate ({@code minLearningRate} lowered to it if above).
     */
    public OptimizerConfig withLearningRate(double peak) {
        return new OptimizerConfig(
                peak,
                Math.min(minLearningRate, peak),
                warmupSteps,
                scheduleSteps,
                beta1,
                beta2,
                epsilon,
                weightDecay,
                clipNorm);
    }

    /**
     * The same settings warming up over {@code warmup} steps, the cosine ending at {@code steps}.
     */
    public OptimizerConfig withSchedule(int warmup, int steps) {
        return new OptimizerConfig(
                learningRate,
                minLearningRate,
                warmup,
                steps,
                beta1,
                beta2,
                epsilon,
                weightDecay,
                clipNorm);
    }

    public LearningRateSchedule schedule() {
        return new LearningRateSchedule(learningRate, minLearningRate, warmupSteps, scheduleSteps);
    }
}
