package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
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
    private final int mlpWidth;
    private final Parameter probe;
    private final Linear query;
    private final Linear keyValue;
    private final Linear attentionOut;
    private final LayerNorm mlpNorm;
    private final Linear mlpIn;
    private final Linear mlpOut;

    public MapHead(int width, int heads, int mlpRatio) {
        super(VERSION);
        if (width % heads != 0) {
            throw new IllegalArgumentException(heads + " heads do not divide width " + width);
        }
        this.width = width;
        this.heads = heads;
        this.mlpWidth = mlpRatio * width;
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
        mlpNorm = addChildBlock("mlp_norm", LayerNorm.builder().axis(2).build());
        mlpIn = addChildBlock("mlp_in", Linear.builder().setUnits(mlpWidth).build());
        mlpOut = addChildBlock("mlp_out", Linear.builder().setUnits(width).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long seq = shape.get(1);
        long headDim = width / heads;
        NDManager manager = x.getManager();
        // zeros first: the broadcast sum then belongs to the step's manager, not the parameter's.
        NDArray probes =
                manager.zeros(new Shape(batch, 1, width))
                        .add(ps.getValue(probe, x.getDevice(), training));
        NDArray q =
                query.forward(ps, new NDList(probes), training)
                        .singletonOrThrow()
                        .reshape(batch, 1, heads, headDim)
                        .transpose(0, 2, 1, 3); // (B, H, 1, D)
        NDArray kv =
                keyValue.forward(ps, new NDList(x), training)
                        .singletonOrThrow()
                        .reshape(batch, seq, 2, heads, headDim)
                        .transpose(2, 0, 3, 1, 4); // (2, B, H, S, D)
        // split, not get(i): see TransformerBlock#attention.
        NDList parts = kv.split(2, 0);
        NDArray k = parts.get(0).squeeze(0);
        NDArray v = parts.get(1).squeeze(0);
        // An array, not a Number, on the gradient path (see TransformerBlock).
        NDArray scale = manager.create((float) (1 / Math.sqrt(headDim)));
        NDArray attended =
                q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).softmax(-1).matMul(v); // (B,H,1,D)
        NDArray pooled = attended.transpose(0, 2, 1, 3).reshape(batch, 1, width);
        pooled = attentionOut.forward(ps, new NDList(pooled), training).singletonOrThrow();
        NDArray h = mlpNorm.forward(ps, new NDList(pooled), training).singletonOrThrow();
        h = mlpIn.forward(ps, new NDList(h), training).singletonOrThrow();
        h = Activation.gelu(h);
        h = mlpOut.forward(ps, new NDList(h), training).singletonOrThrow();
        return new NDList(pooled.add(h).reshape(batch, width));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape one = new Shape(x.get(0), 1, width);
        query.initialize(manager, dataType, one);
        keyValue.initialize(manager, dataType, x);
        attentionOut.initialize(manager, dataType, one);
        mlpNorm.initialize(manager, dataType, one);
        mlpIn.initialize(manager, dataType, one);
        mlpOut.initialize(manager, dataType, new Shape(x.get(0), 1, mlpWidth));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), width)};
    }
}
