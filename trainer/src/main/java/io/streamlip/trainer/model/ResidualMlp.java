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
 * The pre-LN MLP branch with its residual, {@code x + MLP(LN(x))} with a GELU between two linear
 * layers, as {@link TransformerBlock} and {@link MapHead} end. Not a block of its own: its layers
 * are child blocks of the block that uses it, named {@code mlp_norm}, {@code mlp_in} and {@code
 * mlp_out} as checkpoints hold them.
 */
public final class ResidualMlp {
    /** How a block registers a child ({@code AbstractBlock::addChildBlock}). */
    public interface ChildBlocks {
        <B extends Block> B add(String name, B block);
    }

    private final int hiddenWidth;
    private final LayerNorm norm;
    private final Linear in;
    private final Linear out;

    /** The branch for inputs of {@code width} features, hidden width {@code mlpRatio · width}. */
    public ResidualMlp(int width, int mlpRatio, ChildBlocks children) {
        hiddenWidth = mlpRatio * width;
        // axis(2): normalise each token over its features; without it LayerNorm spans S x E.
        norm = children.add("mlp_norm", LayerNorm.builder().axis(2).build());
        in = children.add("mlp_in", Linear.builder().setUnits(hiddenWidth).build());
        out = children.add("mlp_out", Linear.builder().setUnits(width).build());
    }

    /** {@code x + MLP(LN(x))} for {@code x} of shape (B, S, width). */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = norm.forward(ps, new NDList(x), training).singletonOrThrow();
        h = in.forward(ps, new NDList(h), training).singletonOrThrow();
        h = Activation.gelu(h);
        h = out.forward(ps, new NDList(h), training).singletonOrThrow();
        return x.add(h);
    }

    /** Initialises the layers for inputs of {@code shape} (B, S, width). */
    public void initialize(NDManager manager, DataType dataType, Shape shape) {
        norm.initialize(manager, dataType, shape);
        in.initialize(manager, dataType, shape);
        out.initialize(manager, dataType, new Shape(shape.get(0), shape.get(1), hiddenWidth));
    }
}
