package io.streamlip.trainer.optim;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;

/**
 * Settings of {@link AdamW} and its {@link LearningRateSchedule}
 * (docs/decisions/trainer-defaults.md); JSON maps onto its {@link #builder()} by component name.
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
@JsonDeserialize(builder = OptimizerConfig.Builder.class)
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
        return builder().build();
    }

    public LearningRateSchedule schedule() {
        return new LearningRateSchedule(learningRate, minLearningRate, warmupSteps, scheduleSteps);
    }

    /** A builder holding the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder()
                .learningRate(learningRate)
                .minLearningRate(minLearningRate)
                .warmupSteps(warmupSteps)
                .scheduleSteps(scheduleSteps)
                .beta1(beta1)
                .beta2(beta2)
                .epsilon(epsilon)
                .weightDecay(weightDecay)
                .clipNorm(clipNorm);
    }

    /** Sets components one by one; {@link #build} validates them together. */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private double learningRate = 1e-3;
        private double minLearningRate = 1e-5;
        private int warmupSteps = 100;
        private int scheduleSteps = 5000;
        private double beta1 = 0.9;
        private double beta2 = 0.95;
        private double epsilon = 1e-8;
        private double weightDecay = 1e-4;
        private double clipNorm = 1.0;

        private Builder() {}

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder minLearningRate(double v) {
            minLearningRate = v;
            return this;
        }

        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        public Builder scheduleSteps(int v) {
            scheduleSteps = v;
            return this;
        }

        public Builder beta1(double v) {
            beta1 = v;
            return this;
        }

        public Builder beta2(double v) {
            beta2 = v;
            return this;
        }

        public Builder epsilon(double v) {
            epsilon = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder clipNorm(double v) {
            clipNorm = v;
            return this;
        }

        public OptimizerConfig build() {
            return new OptimizerConfig(
                    learningRate,
                    minLearningRate,
                    warmupSteps,
                    scheduleSteps,
                    beta1,
                    beta2,
                    epsilon,
                    weightDecay,
                    clipNorm);
        }
    }
}
