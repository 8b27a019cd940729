package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A pre-LN transformer encoder block: {@code x + attention(LN(x))}, then {@code x + MLP(LN(x))}.
 *
 * <p>Written by hand rather than with DJL's {@code TransformerEncoderBlock}, which normalises with
 * BatchNorm (mixing the samples of a batch: wrong for a contrastive loss) and skips the attention
 * output in its residual. Attention uses one fused query-key-value projection and an optional
 * additive mask.
 *
 * <p>Input: {@code x} of shape (B, S, E), optionally followed by an additive mask broadcastable to
 * (B, heads, S, S) (0 where a key may be attended, a large negative number where not). Output: (B,
 * S, E).
 */
public final class TransformerBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int width;
    private final int heads;
    private final int mlpWidth;
    private final LayerNorm attentionNorm;
    private final Linear qkv;
    private final Linear attentionOut;
    private final LayerNorm mlpNorm;
    private final Linear mlpIn;
    private final Linear mlpOut;

    public TransformerBlock(int width, int heads, int mlpRatio) {
        super(VERSION);
        if (width % heads != 0) {
            throw new IllegalArgumentException(heads + " heads do not divide width " + width);
        }
        this.width = width;
        this.heads = heads;
        this.mlpWidth = mlpRatio * width;
        // axis(2): normalise each token over its features; without it LayerNorm spans S x E.
        attentionNorm = addChildBlock("attention_norm", LayerNorm.builder().axis(2).build());
        qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * width).build());
        attentionOut = addChildBlock("attention_out", Linear.builder().setUnits(width).build());
        mlpNorm = addChildBlock("mlp_norm", LayerNorm.builder().axis(2).build());
        mlpIn = addChildBlock("mlp_in", Linear.builder().setUnits(mlpWidth).build());
        mlpOut = addChildBlock("mlp_out", Linear.builder().setUnits(width).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray mask = inputs.size() > 1 ? inputs.get(1) : null;
        NDArray h = attentionNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        x = x.add(attention(ps, h, mask, training));
        h = mlpNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        h = mlpIn.forward(ps, new NDList(h), training).singletonOrThrow();
        h = Activation.gelu(h);
        h = mlpOut.forward(ps, new NDList(h), training).singletonOrThrow();
        return new NDList(x.add(h));
    }

    private NDArray attention(ParameterStore ps, NDArray h, NDArray mask, boolean training) {
        Shape shape = h.getShape();
        long batch = shape.get(0);
        long seq = shape.get(1);
        long headDim = width / heads;
        NDArray fused = qkv.forward(ps, new NDList(h), training).singletonOrThrow();
        // (B, S, 3, H, D) -> (3, B, H, S, D)
        NDArray split = fused.reshape(batch, seq, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
        // split, not get(i): select's backward fills a zero tensor of the whole fused shape per
        // part (three per block); split's backward is one concatenation.
        NDList parts = split.split(3, 0);
        NDArray q = parts.get(0).squeeze(0);
        NDArray k = parts.get(1).squeeze(0);
        NDArray v = parts.get(2).squeeze(0);
        // Never x.div(Number) on the gradient path: DJL wraps the number in a tensor over a Java
        // buffer and closes it at once, yet autograd keeps reading it in backward (random NaNs
        // once the buffer is collected). A scalar array in the step's manager lives long enough.
        NDArray scale = q.getManager().create((float) (1 / Math.sqrt(headDim)));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale);
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray attended = scores.softmax(-1).matMul(v); // (B, H, S, D)
        NDArray merged = attended.transpose(0, 2, 1, 3).reshape(batch, seq, width);
        return attentionOut.forward(ps, new NDList(merged), training).singletonOrThrow();
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape hidden = new Shape(x.get(0), x.get(1), mlpWidth);
        attentionNorm.initialize(manager, dataType, x);
        qkv.initialize(manager, dataType, x);
        attentionOut.initialize(manager, dataType, x);
        mlpNorm.initialize(manager, dataType, x);
        mlpIn.initialize(manager, dataType, x);
        mlpOut.initialize(manager, dataType, hidden);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
