package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;

/**
 * The pre-LN MLP branch with its residual, {@code x + MLP(LN(x))} with a GELU (exact or its tanh
 * approximation, {@link ModelConfig#mlpActivation}) between two linear layers, as {@link
 * TransformerBlock} and {@link MapHead} end. Not a block of its own: its layers are child blocks of
 * the block that uses it, named {@code mlp_norm}, {@code mlp_in} and {@code mlp_out} as checkpoints
 * hold them. Public for the LIMoE blocks' dense MLPs.
 */
public final class ResidualMlp {
    /** How a block registers a child ({@code AbstractBlock::addChildBlock}). */
    public interface ChildBlocks {
        <B extends Block> B add(String name, B block);
    }

    private final int hiddenWidth;
    private final ModelConfig.MlpActivation activation;
    private final LayerNorm norm;
    private final Linear in;
    private final Linear out;

    /**
     * The branch for inputs of {@code width} features and {@code hiddenWidth} hidden ones, with
     * {@code config}'s LayerNorm epsilon and activation.
     */
    public ResidualMlp(int width, int hiddenWidth, ModelConfig config, ChildBlocks children) {
        this.hiddenWidth = hiddenWidth;
        this.activation = config.mlpActivation();
        norm = children.add("mlp_norm", layerNorm(config));
        in = children.add("mlp_in", Linear.builder().setUnits(hiddenWidth).build());
        out = children.add("mlp_out", Linear.builder().setUnits(width).build());
    }

    /** {@code x + MLP(LN(x))} for {@code x} of shape (B, S, width). */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = norm.forward(ps, new NDList(x), training).singletonOrThrow();
        h = in.forward(ps, new NDList(h), training).singletonOrThrow();
        h = activation == ModelConfig.MlpActivation.GELU ? Activation.gelu(h) : geluTanh(h);
        h = out.forward(ps, new NDList(h), training).singletonOrThrow();
        return x.add(h);
    }

    /**
     * GELU's tanh approximation, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, as
     * PyTorch's {@code gelu(approximate="tanh")} computes it (DJL has only the exact form).
     */
    static NDArray geluTanh(NDArray x) {
        // Constants as arrays of the step's manager, never x.mul(Number): see
        // MultiHeadAttention.attend.
        NDManager m = x.getManager();
        NDArray inner =
                x.add(x.mul(x).mul(x).mul(m.create(0.044715f)))
                        .mul(m.create((float) Math.sqrt(2 / Math.PI)));
        return x.mul(m.create(0.5f)).mul(inner.tanh().add(m.create(1f)));
    }

    /**
     * A LayerNorm over each token's features (axis 2; without it DJL's spans S x E) with {@code
     * config}'s epsilon.
     */
    static LayerNorm layerNorm(ModelConfig config) {
        return LayerNorm.builder().axis(2).optEpsilon((float) config.layerNormEps()).build();
    }

    /** Initialises the layers for inputs of {@code shape} (B, S, width). */
    public void initialize(NDManager manager, DataType dataType, Shape shape) {
        norm.initialize(manager, dataType, shape);
        in.initialize(manager, dataType, shape);
        out.initialize(manager, dataType, new Shape(shape.get(0), shape.get(1), hiddenWidth));
    }
}
