package io.streamlip.trainer.optim;

/**
 * Linear warmup from 0 to {@code peak} over {@code warmupSteps}, then a cosine decay to {@code min}
 * at {@code totalSteps}, then {@code min} for as long as the stream lasts.
 */
public record LearningRateSchedule(double peak, double min, int warmupSteps, int totalSteps) {

    /** The rate of step {@code step} (1 for the first update). */
    public double at(long step) {
        if (step <= 0) {
            return 0;
        }
        if (step <= warmupSteps) {
            return peak * step / warmupSteps;
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
