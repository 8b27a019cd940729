package io.streamlip.bench.pytorch;

import io.streamlip.trainer.model.ModelConfig;

/**
 * Floating-point operations of one SigLIP training step, counted analytically from the
 * architecture's matrix products (a multiply-add counts 2). Elementwise work (norms, GELU, softmax,
 * the optimizer) is left out: it is small beside the products and not what a matrix unit's peak
 * measures. Backward costs twice the forward for each product (the gradients of its input and of
 * its weight), except the patch embedding, whose input (the pixels) needs no gradient.
 *
 * @param patchEmbedding forward FLOPs of the patch convolution
 * @param imageBlocks forward FLOPs of all image transformer blocks
 * @param textBlocks forward FLOPs of all text transformer blocks
 * @param projections forward FLOPs of both towers' projections
 * @param logits forward FLOPs of the {@code B x B} similarity matrix
 */
public record TrainingFlops(
        double patchEmbedding,
        double imageBlocks,
        double textBlocks,
        double projections,
        double logits) {

    /** The count for {@code model} at batch size {@code batch}. */
    public static TrainingFlops of(ModelConfig model, int batch) {
        double b = batch;
        double patches = model.patchCount();
        double pixelsPerPatch = 3.0 * model.patchSize() * model.patchSize();
        double patchEmbedding = 2 * b * patches * pixelsPerPatch * model.imageWidth();
        double imageBlocks =
                model.imageDepth()
                        * block(
                                b,
                                patches,
                                model.imageWidth(),
                                (double) model.imageMlpWidth() / model.imageWidth());
        double textBlocks =
                model.textDepth()
                        * block(
                                b,
                                model.contextLength(),
                                model.textWidth(),
                                (double) model.textMlpWidth() / model.textWidth());
        double projections =
                (model.imageProjection() ? 2 * b * model.imageWidth() * model.embedDim() : 0)
                        + 2 * b * model.textWidth() * model.embedDim();
        double logits = 2 * b * b * model.embedDim();
        return new TrainingFlops(patchEmbedding, imageBlocks, textBlocks, projections, logits);
    }

    /**
     * One pre-LN block on {@code b x s} tokens of width {@code w}: the fused qkv (3w²), the output
     * projection (w²) and the MLP (2rw²) per token, plus scores {@code QKᵀ} and {@code AV} (s·w
     * each per token, summed over heads).
     */
    static double block(double b, double s, double w, double mlpRatio) {
        double perTokenWeights = (3 + 1 + 2 * mlpRatio) * w * w;
        double attention = 2 * s * w;
        return 2 * b * s * (perTokenWeights + attention);
    }

    /** Forward FLOPs. */
    public double forward() {
        return patchEmbedding + imageBlocks + textBlocks + projections + logits;
    }

    /** Forward plus backward FLOPs: three times the forward, two for the patch embedding. */
    public double training() {
        return 3 * forward() - patchEmbedding;
    }
}
