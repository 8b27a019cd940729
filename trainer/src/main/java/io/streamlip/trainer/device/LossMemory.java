package io.streamlip.trainer.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.streamlip.trainer.loss.ChunkedSigmoidLoss;
import io.streamlip.trainer.loss.SigmoidLoss;
import io.streamlip.trainer.model.SiglipModel;
import java.util.Arrays;

/**
 * Peak memory and time of the sigmoid loss's forward and backward on random unit embeddings, whole
 * (one B x B logit matrix) or chunked ({@link ChunkedSigmoidLoss}): what {@code streamlip bench
 * chunked-loss} and the GPU check ({@link GpuCheck}) measure. Only the loss side runs (embeddings
 * in, their gradients and those of t' and b out): the towers cost the same either way.
 */
public final class LossMemory {
    private static final String ENGINE = "PyTorch";

    private LossMemory() {}

    /**
     * What {@link #measure} found.
     *
     * @param millis each timed run's wall time, ascending
     * @param peakBytes the largest peak over the timed runs ({@link PeakMemory#measure})
     * @param method how the peak was measured, in words
     * @param loss the loss of the last run
     */
    public record Measurement(double[] millis, long peakBytes, String method, float loss) {}

    /**
     * One warm-up, then {@code repeats} timed runs of the loss's forward and backward on {@code
     * device}, at batch {@code batch} of {@code dim}-d embeddings drawn with the engine seeded by
     * {@code batch} (so every chunking sees the same ones); whole when {@code chunks} is 0.
     */
    public static Measurement measure(Device device, int batch, int dim, int chunks, int repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
        }
        double[] ms = new double[repeats];
        long peak = 0;
        String method = null;
        float[] loss = new float[1];
        try (NDManager manager = NDManager.newBaseManager(device, ENGINE)) {
            Engine.getEngine(ENGINE).setRandomSeed(batch);
            NDArray x = manager.randomNormal(new Shape(batch, dim)).normalize(2, 1, 1e-6);
            NDArray y = manager.randomNormal(new Shape(batch, dim)).normalize(2, 1, 1e-6);
            NDArray logT = manager.create(new float[] {SiglipModel.INITIAL_LOG_TEMPERATURE});
            NDArray bias = manager.create(new float[] {SiglipModel.INITIAL_BIAS});
            for (int r = -1; r < repeats; r++) {
                try (NDManager run = manager.newSubManager()) {
                    NDArray[] leaves = {
                        x.duplicate(), y.duplicate(), logT.duplicate(), bias.duplicate()
                    };
                    for (NDArray a : leaves) {
                        a.attach(run);
                        a.setRequiresGradient(true);
                    }
                    long t0 = System.nanoTime();
                    PeakMemory.Peak p =
                            PeakMemory.measure(
                                    device,
                                    () ->
                                            loss[0] =
                                                    lossAndBackward(
                                                            leaves[0], leaves[1], leaves[2],
                                                            leaves[3], chunks));
                    double elapsed = (System.nanoTime() - t0) / 1e6;
                    if (r >= 0) {
                        ms[r] = elapsed;
                        peak = Math.max(peak, p.bytes());
                        method = p.method();
                    }
                }
            }
        }
        Arrays.sort(ms);
        return new Measurement(ms, peak, method, loss[0]);
    }

    /** The loss with its backward into x, y, t' and b; whole when {@code chunks} is 0. */
    public static float lossAndBackward(NDArray x, NDArray y, NDArray t, NDArray b, int chunks) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            if (chunks == 0) {
                NDArray loss = SigmoidLoss.compute(x, y, t, b);
                gc.backward(loss);
                return loss.getFloat();
            }
            return ChunkedSigmoidLoss.backward(gc, x, y, t, b, chunks);
        }
    }
}
