package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
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

    private final int heads;
    private final LayerNorm attentionNorm;
    private final Linear qkv;
    private final Linear attentionOut;
    private final ResidualMlp mlp;

    /**
     * A block of {@code width} features, {@code heads} heads and an MLP {@code mlpWidth} wide, with
     * {@code config}'s LayerNorm epsilon and MLP activation.
     */
    public TransformerBlock(int width, int heads, int mlpWidth, ModelConfig config) {
        super(VERSION);
        MultiHeadAttention.headWidth(width, heads);
        this.heads = heads;
        attentionNorm = addChildBlock("attention_norm", ResidualMlp.layerNorm(config));
        qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * width).build());
        attentionOut = addChildBlock("attention_out", Linear.builder().setUnits(width).build());
        mlp = new ResidualMlp(width, mlpWidth, config, this::addChildBlock);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray mask = inputs.size() > 1 ? inputs.get(1) : null;
        NDArray h = attentionNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        x = x.add(attention(ps, h, mask, training));
        return new NDList(mlp.forward(ps, x, training));
    }

    private NDArray attention(ParameterStore ps, NDArray h, NDArray mask, boolean training) {
        NDArray fused = qkv.forward(ps, new NDList(h), training).singletonOrThrow();
        NDList split = MultiHeadAttention.splitHeads(fused, 3, heads); // 3 x (B, H, S, D)
        NDArray merged = MultiHeadAttention.attend(split.get(0), split.get(1), split.get(2), mask);
        return attentionOut.forward(ps, new NDList(merged), training).singletonOrThrow();
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        attentionNorm.initialize(manager, dataType, x);
        qkv.initialize(manager, dataType, x);
        attentionOut.initialize(manager, dataType, x);
        mlp.initialize(manager, dataType, x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
