package io.streamlip.bench;

import java.util.Map;

/**
 * What one training run of {@code streamlip bench families} measured, in one process: the variant,
 * its seed, how far it got in its CPU budget, the held-out results and the memory. The child
 * process writes it as JSON; the parent reads it back.
 *
 * @param variant {@link FamilyVariant#name()}
 * @param seed the initialisation's seed (also the run's number)
 * @param threads PyTorch intra-op threads
 * @param budgetCpuSeconds the training budget, CPU seconds of the process
 * @param parameters trainable scalars
 * @param examples examples in the stream
 * @param steps training steps taken
 * @param trainCpuSeconds CPU seconds the training took (the budget, overrun by the last step)
 * @param trainWallSeconds wall seconds the training took
 * @param prepareSeconds wall seconds to prepare the stream and the held-out set
 * @param evalSeconds wall seconds of the held-out evaluation
 * @param firstLoss mean loss of the first 20 steps
 * @param lastLoss mean loss of the last 20 steps
 * @param retrieval held-out retrieval by language, and {@code "mean"} (unweighted over languages);
 *     empty for a captioner without the contrastive loss
 * @param captions held-out captioning by language, and {@code "mean"}; empty for a model that does
 *     not write captions
 * @param peakRssMib the process's resident high-water mark over its whole life (VmHWM), MiB
 * @param trainingPeakRssMib its high-water mark from the first step to the last, MiB (VmHWM reset
 *     at the start where the kernel allows, else equal to {@link #peakRssMib})
 * @param rssBeforeModelMib resident memory just before the model was made (the stream, the held-out
 *     set and the JVM already in), MiB
 * @param heapCommittedMib the JVM heap committed after training, MiB
 * @param nonHeapCommittedMib the JVM's non-heap memory committed after training, MiB
 */
record FamilyRunResult(
        String variant,
        int seed,
        int threads,
        double budgetCpuSeconds,
        long parameters,
        int examples,
        long steps,
        double trainCpuSeconds,
        double trainWallSeconds,
        double prepareSeconds,
        double evalSeconds,
        double firstLoss,
        double lastLoss,
        Map<String, Retrieval> retrieval,
        Map<String, Captioning> captions,
        double peakRssMib,
        double trainingPeakRssMib,
        double rssBeforeModelMib,
        double heapCommittedMib,
        double nonHeapCommittedMib) {

    /** The mean over languages in {@link #retrieval} and {@link #captions}. */
    static final String MEAN = "mean";

    /** Held-out recall of one language (or the mean). */
    record Retrieval(double i2tR1, double i2tR5, double t2iR1, double t2iR5, double chanceR1) {}

    /** Held-out captioning of one language (or the mean). */
    record Captioning(double exactMatch, double bleu4, long images) {}

    /** CPU milliseconds per training step. */
    double cpuMsPerStep() {
        return steps == 0 ? Double.NaN : trainCpuSeconds * 1000 / steps;
    }

    /** Wall milliseconds per training step. */
    double wallMsPerStep() {
        return steps == 0 ? Double.NaN : trainWallSeconds * 1000 / steps;
    }

    /**
     * What training added to the resident memory at its peak, MiB: the model, its gradients, the
     * optimizer state and the step's activations (and whatever the heap grew by).
     */
    double trainingGrowthMib() {
        return Math.max(0, trainingPeakRssMib - rssBeforeModelMib);
    }

    /**
     * Native memory beside the JVM at the training peak, MiB: the peak less the JVM's committed
     * heap and non-heap (an upper bound of what libtorch held; DJL's CPU allocator keeps no
     * statistics of its own).
     */
    double nativeEstimateMib() {
        return Math.max(0, trainingPeakRssMib - heapCommittedMib - nonHeapCommittedMib);
    }
}
