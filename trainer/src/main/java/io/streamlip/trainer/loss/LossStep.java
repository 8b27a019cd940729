package io.streamlip.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.streamlip.trainer.model.ContrastiveModel;
import io.streamlip.trainer.model.SiglipModel;

/**
 * The forward and backward half of a training step for a {@link LossConfig}: embeds both sides,
 * computes the loss and leaves its gradients on the parameters.
 *
 * <p>Whole losses ({@link SigmoidLoss}, {@link SoftmaxLoss}) backpropagate once. The chunked
 * sigmoid loss runs the two-phase backward, since DJL's {@code GradientCollector.backward} takes
 * only a scalar: (1) detach the embeddings x and y into leaves, backpropagate each block of the
 * loss into them ({@link ChunkedSigmoidLoss}); (2) backpropagate the surrogate scalar {@code Σ x ⊙
 * ∂L/∂x + Σ y ⊙ ∂L/∂y} through the towers. Its gradient with respect to every tower parameter θ is
 * {@code (∂L/∂x)·∂x/∂θ + (∂L/∂y)·∂y/∂θ}, i.e. exactly ∂L/∂θ: the vector-Jacobian product the full
 * backward computes. The towers' activations are kept once; no logit block outlives its own
 * backward.
 *
 * <p>Image embeddings may come from outside (a locked image tower's cache, see LiT): they are then
 * constants and only the text side is backpropagated.
 */
public final class LossStep {
    private final LossConfig config;

    public LossStep(LossConfig config) {
        this.config = config;
    }

    public LossConfig config() {
        return config;
    }

    /**
     * Runs forward and backward inside {@code collector}; the parameters' gradients accumulate.
     *
     * @param images (B, 3, H, W), or null when {@code imageEmbeddings} is given
     * @param ids token ids (B, S)
     * @param mask padding mask (B, S)
     * @param imageEmbeddings precomputed unit-length image embeddings (B, D) to use instead of the
     *     image tower (constants: no gradient reaches the image tower), or null
     * @param trainImages whether the image tower takes part in the backward pass; false when it is
     *     locked
     * @return the batch's loss
     */
    public float forwardBackward(
            GradientCollector collector,
            SiglipModel model,
            ParameterStore ps,
            NDArray images,
            NDArray ids,
            NDArray mask,
            NDArray imageEmbeddings,
            boolean trainImages) {
        return forwardBackward(
                collector, model, ps, images, new NDList(ids, mask), imageEmbeddings, trainImages);
    }

    /**
     * As {@link #forwardBackward(GradientCollector, SiglipModel, ParameterStore, NDArray, NDArray,
     * NDArray, NDArray, boolean)} for any {@link ContrastiveModel}, whose text inputs {@code texts}
     * are (ids, mask) for two towers and the rendered captions for CLIPPO.
     */
    public float forwardBackward(
            GradientCollector collector,
            ContrastiveModel model,
            ParameterStore ps,
            NDArray images,
            NDList texts,
            NDArray imageEmbeddings,
            boolean trainImages) {
        boolean imageGradients = trainImages && imageEmbeddings == null;
        NDArray x =
                imageEmbeddings != null
                        ? imageEmbeddings
                        : model.embedImages(ps, images, imageGradients);
        NDArray y = model.embedTexts(ps, texts, true);
        NDArray logTemperature = ps.getValue(model.logTemperature(), y.getDevice(), true);
        NDArray bias = ps.getValue(model.bias(), y.getDevice(), true);
        if (!config.chunked()) {
            NDArray loss = wholeLoss(x, y, logTemperature, bias);
            collector.backward(loss);
            return loss.getFloat();
        }
        // Phase 1: blocks into detached leaves.
        NDArray xLeaf = x.stopGradient();
        if (imageGradients) {
            xLeaf.setRequiresGradient(true);
        }
        NDArray yLeaf = y.stopGradient();
        yLeaf.setRequiresGradient(true);
        float loss =
                ChunkedSigmoidLoss.backward(
                        collector, xLeaf, yLeaf, logTemperature, bias, config.chunks());
        // Phase 2: one backward through the towers, ∂L/∂x and ∂L/∂y as the vector.
        NDArray gy = yLeaf.getGradient();
        gy.attach(y.getManager()); // a new handle: closed with the step
        NDArray surrogate = y.mul(gy).sum();
        if (imageGradients) {
            NDArray gx = xLeaf.getGradient();
            gx.attach(x.getManager());
            surrogate = surrogate.add(x.mul(gx).sum());
        }
        collector.backward(surrogate);
        return loss;
    }

    /** The loss without gradients (evaluation), block by block when chunked. */
    public float loss(
            SiglipModel model, ParameterStore ps, NDArray images, NDArray ids, NDArray mask) {
        return loss(model, ps, images, new NDList(ids, mask));
    }

    /** The loss without gradients of any {@link ContrastiveModel} on its text inputs. */
    public float loss(ContrastiveModel model, ParameterStore ps, NDArray images, NDList texts) {
        NDArray x = model.embedImages(ps, images, false);
        NDArray y = model.embedTexts(ps, texts, false);
        NDArray logTemperature = ps.getValue(model.logTemperature(), y.getDevice(), false);
        NDArray bias = ps.getValue(model.bias(), y.getDevice(), false);
        if (config.chunked()) {
            return ChunkedSigmoidLoss.value(x, y, logTemperature, bias, config.chunks());
        }
        return wholeLoss(x, y, logTemperature, bias).getFloat();
    }

    private NDArray wholeLoss(NDArray x, NDArray y, NDArray logTemperature, NDArray bias) {
        return switch (config.kind()) {
            case SIGMOID -> SigmoidLoss.compute(x, y, logTemperature, bias);
            case SOFTMAX -> SoftmaxLoss.compute(x, y, logTemperature, bias);
        };
    }
}
