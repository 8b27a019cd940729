package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

/**
 * Multihead attention pooling, as big_vision's {@code MAPHead} (the SigLIP image towers' pooling):
 * one learned probe token attends over all patch states ({@code q} from the probe, {@code k} and
 * {@code v} from the patches), then {@code x + MLP(LN(x))}; the probe's output is the pooled
 * vector.
 *
 * <p>Input: (B, S, E). Output: (B, E).
 */
public final class MapHead extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int width;
    private final int heads;
    private final Parameter probe;
    private final Linear query;
    private final Linear keyValue;
    private final Linear attentionOut;
    private final ResidualMlp mlp;

    /**
     * A head over {@code width} features with {@code heads} heads and an MLP {@code mlpWidth} wide.
     */
    public MapHead(int width, int heads, int mlpWidth, ModelConfig config) {
        super(VERSION);
        MultiHeadAttention.headWidth(width, heads);
        this.width = width;
        this.heads = heads;
        probe =
                addParameter(
                        Parameter.builder()
                                .setName("probe")
                                .setType(Parameter.Type.OTHER)
                                .optShape(new Shape(1, 1, width))
                                .optInitializer(new XavierInitializer())
                                .build());
        query = addChildBlock("query", Linear.builder().setUnits(width).build());
        keyValue = addChildBlock("key_value", Linear.builder().setUnits(2L * width).build());
        attentionOut = addChildBlock("attention_out", Linear.builder().setUnits(width).build());
        mlp = new ResidualMlp(width, mlpWidth, config, this::addChildBlock);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long batch = x.getShape().get(0);
        // zeros first: the broadcast sum then belongs to the step's manager, not the parameter's.
        NDArray probes =
                x.getManager()
                        .zeros(new Shape(batch, 1, width))
                        .add(ps.getValue(probe, x.getDevice(), training));
        NDArray q =
                MultiHeadAttention.splitHeads(
                        query.forward(ps, new NDList(probes), training).singletonOrThrow(),
                        heads); // (B, H, 1, D)
        NDList kv =
                MultiHeadAttention.splitHeads(
                        keyValue.forward(ps, new NDList(x), training).singletonOrThrow(),
                        2,
                        heads); // 2 x (B, H, S, D)
        NDArray pooled = MultiHeadAttention.attend(q, kv.get(0), kv.get(1), null); // (B, 1, E)
        pooled = attentionOut.forward(ps, new NDList(pooled), training).singletonOrThrow();
        return new NDList(mlp.forward(ps, pooled, training).reshape(batch, width));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape one = new Shape(x.get(0), 1, width);
        query.initialize(manager, dataType, one);
        keyValue.initialize(manager, dataType, x);
        attentionOut.initialize(manager, dataType, one);
        mlp.initialize(manager, dataType, one);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), width)};
    }
}
