package io.streamlip.trainer.limoe;

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
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.MultiHeadAttention;
import io.streamlip.trainer.model.ResidualMlp;

/**
 * One pre-LN block of LIMoE's shared transformer: self-attention within each sequence ({@code x +
 * attention(LN(x))}, an image's patches or a caption's tokens), then either the dense MLP branch
 * ({@link ResidualMlp}) or a {@link MoeMlp} that routes the tokens of every sequence of the pass
 * together. The caller ({@link LimoeModel}) drives the two halves, since the sparse one needs all
 * modalities' tokens at once.
 */
public final class LimoeBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int heads;
    private final LayerNorm attentionNorm;
    private final Linear qkv;
    private final Linear attentionOut;
    private final ResidualMlp dense;
    private final MoeMlp moe;

    /**
     * A block of {@code width} with {@code model}'s MLP width, LayerNorm epsilon and activation for
     * its dense MLP; sparse when {@code moe} is non-null.
     */
    public LimoeBlock(int width, int heads, ModelConfig model, MoeConfig moe) {
        super(VERSION);
        MultiHeadAttention.headWidth(width, heads);
        this.heads = heads;
        attentionNorm = addChildBlock("attention_norm", LayerNorm.builder().axis(2).build());
        qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * width).build());
        attentionOut = addChildBlock("attention_out", Linear.builder().setUnits(width).build());
        if (moe == null) {
            this.dense = new ResidualMlp(width, model.imageMlpWidth(), model, this::addChildBlock);
            this.moe = null;
        } else {
            this.dense = null;
            this.moe = addChildBlock("moe", new MoeMlp(moe, width, model.mlpRatio()));
        }
    }

    /** Whether the MLP is a mixture of experts. */
    public boolean sparse() {
        return moe != null;
    }

    public MoeMlp moe() {
        return moe;
    }

    /** {@code x + attention(LN(x))} for one modality's sequences (B, S, W), mask as TextTower's. */
    public NDArray attend(ParameterStore ps, NDArray x, NDArray mask, boolean training) {
        NDArray h = attentionNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray fused = qkv.forward(ps, new NDList(h), training).singletonOrThrow();
        NDList split = MultiHeadAttention.splitHeads(fused, 3, heads);
        NDArray merged = MultiHeadAttention.attend(split.get(0), split.get(1), split.get(2), mask);
        return x.add(attentionOut.forward(ps, new NDList(merged), training).singletonOrThrow());
    }

    /** The dense MLP branch with its residual; only for a block that is not sparse. */
    public NDArray denseMlp(ParameterStore ps, NDArray x, boolean training) {
        return dense.forward(ps, x, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("LimoeModel drives attend and the MLP halves");
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        attentionNorm.initialize(manager, dataType, x);
        qkv.initialize(manager, dataType, x);
        attentionOut.initialize(manager, dataType, x);
        if (dense != null) {
            dense.initialize(manager, dataType, x);
        } else {
            moe.initialize(manager, dataType, new Shape(x.get(0) * x.get(1), x.get(2)));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
