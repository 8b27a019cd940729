package io.streamlip.trainer.limoe;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.streamlip.trainer.loss.ChunkedSigmoidLoss;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.loss.SigmoidLoss;
import io.streamlip.trainer.loss.SoftmaxLoss;

/**
 * LIMoE's forward and backward half of a training step: one pass embeds both sides (so the sparse
 * blocks route image and text tokens together), the contrastive loss of the {@link LossConfig}
 * (sigmoid, chunked sigmoid or softmax) plus the auxiliary entropy losses is backpropagated. The
 * chunked form backpropagates the blocks into detached embeddings first and then the surrogate
 * {@code Σ x ⊙ ∂L/∂x + Σ y ⊙ ∂L/∂y + aux} once through the model (as {@code LossStep}).
 */
public final class LimoeLossStep {
    private final LossConfig config;

    public LimoeLossStep(LossConfig config) {
        this.config = config;
    }

    /**
     * @param contrastive the contrastive loss (comparable with the other families')
     * @param auxiliary the weighted entropy losses added to it for the gradient
     * @param routing how the pass routed
     */
    public record Result(float contrastive, float auxiliary, RoutingStats routing) {}

    /** Runs forward and backward inside {@code collector}; the parameters' gradients accumulate. */
    public Result forwardBackward(
            GradientCollector collector,
            LimoeModel model,
            ParameterStore ps,
            NDArray images,
            NDArray ids,
            NDArray mask) {
        LimoeModel.Encoded e = model.encode(ps, images, ids, mask, true);
        NDArray x = e.images();
        NDArray y = e.texts();
        NDArray logTemperature = ps.getValue(model.logTemperature(), y.getDevice(), true);
        NDArray bias = ps.getValue(model.bias(), y.getDevice(), true);
        if (!config.chunked()) {
            NDArray contrastive = whole(x, y, logTemperature, bias);
            collector.backward(contrastive.add(e.auxiliaryLoss()));
            return new Result(contrastive.getFloat(), e.auxiliaryLoss().getFloat(), e.routing());
        }
        NDArray xLeaf = x.stopGradient();
        xLeaf.setRequiresGradient(true);
        NDArray yLeaf = y.stopGradient();
        yLeaf.setRequiresGradient(true);
        float loss =
                ChunkedSigmoidLoss.backward(
                        collector, xLeaf, yLeaf, logTemperature, bias, config.chunks());
        NDArray gx = xLeaf.getGradient();
        gx.attach(x.getManager());
        NDArray gy = yLeaf.getGradient();
        gy.attach(y.getManager());
        NDArray surrogate = x.mul(gx).sum().add(y.mul(gy).sum()).add(e.auxiliaryLoss());
        collector.backward(surrogate);
        return new Result(loss, e.auxiliaryLoss().getFloat(), e.routing());
    }

    /** The contrastive loss and routing of a pass without gradients (evaluation). */
    public Result loss(
            LimoeModel model, ParameterStore ps, NDArray images, NDArray ids, NDArray mask) {
        LimoeModel.Encoded e = model.encode(ps, images, ids, mask, false);
        NDArray logTemperature = ps.getValue(model.logTemperature(), e.texts().getDevice(), false);
        NDArray bias = ps.getValue(model.bias(), e.texts().getDevice(), false);
        float contrastive =
                config.chunked()
                        ? ChunkedSigmoidLoss.value(
                                e.images(), e.texts(), logTemperature, bias, config.chunks())
                        : whole(e.images(), e.texts(), logTemperature, bias).getFloat();
        return new Result(contrastive, e.auxiliaryLoss().getFloat(), e.routing());
    }

    private NDArray whole(NDArray x, NDArray y, NDArray logTemperature, NDArray bias) {
        return switch (config.kind()) {
            case SIGMOID -> SigmoidLoss.compute(x, y, logTemperature, bias);
            case SOFTMAX -> SoftmaxLoss.compute(x, y, logTemperature, bias);
        };
    }
}
