package io.streamlip.trainer.caption;

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
 * A pre-LN transformer decoder block: {@code x + selfAttention(LN(x), causal)}, then {@code x +
 * crossAttention(LN(x), memory)}, then {@code x + MLP(LN(x))}. The memory (the image's patch
 * tokens, already at the decoder's width) is attended to without a mask.
 *
 * <p>Inputs: {@code x} (B, L, E), the memory (B, P, E) and the additive causal mask (1, 1, L, L): 0
 * where a position may attend, a large negative number for the future. Output: (B, L, E).
 */
final class DecoderBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int heads;
    private final LayerNorm selfNorm;
    private final Linear selfQkv;
    private final Linear selfOut;
    private final LayerNorm crossNorm;
    private final Linear crossQuery;
    private final Linear crossKeyValue;
    private final Linear crossOut;
    private final ResidualMlp mlp;

    /**
     * A block of {@code width}; its MLP is {@code model.mlpRatio()} wide, with the model's norm.
     */
    DecoderBlock(int width, int heads, ModelConfig model) {
        super(VERSION);
        MultiHeadAttention.headWidth(width, heads);
        this.heads = heads;
        // axis(2): normalise each token over its features; without it LayerNorm spans L x E.
        selfNorm = addChildBlock("self_norm", LayerNorm.builder().axis(2).build());
        selfQkv = addChildBlock("self_qkv", Linear.builder().setUnits(3L * width).build());
        selfOut = addChildBlock("self_out", Linear.builder().setUnits(width).build());
        crossNorm = addChildBlock("cross_norm", LayerNorm.builder().axis(2).build());
        crossQuery = addChildBlock("cross_query", Linear.builder().setUnits(width).build());
        crossKeyValue =
                addChildBlock("cross_key_value", Linear.builder().setUnits(2L * width).build());
        crossOut = addChildBlock("cross_out", Linear.builder().setUnits(width).build());
        mlp = new ResidualMlp(width, model.mlpRatio() * width, model, this::addChildBlock);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray memory = inputs.get(1);
        NDArray causal = inputs.get(2);
        NDArray h = selfNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        NDList qkv =
                MultiHeadAttention.splitHeads(
                        selfQkv.forward(ps, new NDList(h), training).singletonOrThrow(), 3, heads);
        NDArray attended = MultiHeadAttention.attend(qkv.get(0), qkv.get(1), qkv.get(2), causal);
        x = x.add(selfOut.forward(ps, new NDList(attended), training).singletonOrThrow());

        h = crossNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray q =
                MultiHeadAttention.splitHeads(
                        crossQuery.forward(ps, new NDList(h), training).singletonOrThrow(), heads);
        NDList kv =
                MultiHeadAttention.splitHeads(
                        crossKeyValue.forward(ps, new NDList(memory), training).singletonOrThrow(),
                        2,
                        heads);
        attended = MultiHeadAttention.attend(q, kv.get(0), kv.get(1), null);
        x = x.add(crossOut.forward(ps, new NDList(attended), training).singletonOrThrow());
        return new NDList(mlp.forward(ps, x, training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape memory = inputShapes[1];
        selfNorm.initialize(manager, dataType, x);
        selfQkv.initialize(manager, dataType, x);
        selfOut.initialize(manager, dataType, x);
        crossNorm.initialize(manager, dataType, x);
        crossQuery.initialize(manager, dataType, x);
        crossKeyValue.initialize(manager, dataType, memory);
        crossOut.initialize(manager, dataType, x);
        mlp.initialize(manager, dataType, x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
