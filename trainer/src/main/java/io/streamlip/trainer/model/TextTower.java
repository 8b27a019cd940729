package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The text tower: a token table and learned positions (plain parameters), pre-LN transformer blocks
 * that never attend to padding, a final LayerNorm, pooling ({@link ModelConfig.TextPooling}) over
 * the real tokens only, and a linear projection into the shared embedding space. With {@code FINAL}
 * pooling (Hugging Face SigLIP) padding instead holds {@link ModelConfig#padTokenId}, is attended,
 * and the last position is pooled.
 *
 * <p>Inputs: token ids (B, S) as int32 and the padding mask (B, S) as float32 (1 for a real token,
 * 0 for padding; real tokens form a prefix), with S the context length. Output: unnormalised
 * embeddings (B, D).
 */
public final class TextTower extends AbstractBlock {
    private static final byte VERSION = 1;

    /** Added to the attention scores of padding keys: softmax gives them weight 0. */
    private static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final Parameter tokenTable;
    private final Parameter positions;
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear projection;

    public TextTower(ModelConfig config) {
        super(VERSION);
        this.config = config;
        tokenTable =
                addParameter(
                        Parameter.builder()
                                .setName("token_table")
                                .setType(Parameter.Type.OTHER)
                                .optShape(new Shape(config.vocabSize(), config.textWidth()))
                                .optInitializer(new NormalInitializer(0.02f))
                                .build());
        positions =
                addParameter(
                        Parameter.builder()
                                .setName("positions")
                                .setType(Parameter.Type.OTHER)
                                .optShape(new Shape(1, config.contextLength(), config.textWidth()))
                                .optInitializer(new NormalInitializer(0.01f))
                                .build());
        for (int i = 0; i < config.textDepth(); i++) {
            blocks.add(
                    addChildBlock(
                            "block_" + i,
                            new TransformerBlock(
                                    config.textWidth(),
                                    config.textHeads(),
                                    config.textMlpWidth(),
                                    config)));
        }
        finalNorm = addChildBlock("final_norm", ResidualMlp.layerNorm(config));
        projection =
                addChildBlock(
                        "projection",
                        Linear.builder()
                                .setUnits(config.embedDim())
                                .optBias(config.textProjectionBias())
                                .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.get(1);
        requirePadded(config, ids);
        Shape shape = ids.getShape();
        boolean hfPooling = config.textPooling() == ModelConfig.TextPooling.FINAL;
        if (hfPooling) {
            // Padding holds padTokenId and is attended, as the model was trained (SigLIP).
            NDArray pad = ids.getManager().full(shape, config.padTokenId(), DataType.INT32);
            ids = NDArrays.where(mask.gt(0f), ids.toType(DataType.INT32, false), pad);
        }
        NDArray table = ps.getValue(tokenTable, ids.getDevice(), training);
        NDArray x = Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
        x = x.add(ps.getValue(positions, ids.getDevice(), training));
        NDArray additive = hfPooling ? null : paddingScores(mask);
        for (TransformerBlock block : blocks) {
            NDList in = additive == null ? new NDList(x) : new NDList(x, additive);
            x = block.forward(ps, in, training).singletonOrThrow();
        }
        x = finalNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray pooled;
        if (hfPooling) {
            pooled = x.get(new NDIndex(":, -1, :"));
        } else {
            NDArray weights = poolingWeights(config.textPooling(), mask); // (B, S), rows sum to 1
            pooled = x.mul(weights.expandDims(2)).sum(new int[] {1});
        }
        return projection.forward(ps, new NDList(pooled), training);
    }

    /**
     * Checks that token ids come padded to the model's context length.
     *
     * @throws IllegalArgumentException unless {@code ids} is (B, S) with S the context length
     */
    public static void requirePadded(ModelConfig config, NDArray ids) {
        Shape shape = ids.getShape();
        if (shape.dimension() != 2 || shape.get(1) != config.contextLength()) {
            throw new IllegalArgumentException(
                    "token ids must be padded to the context length "
                            + config.contextLength()
                            + ", got shape "
                            + shape);
        }
    }

    /**
     * What attention adds to its scores for the padding mask (B, S): (B, 1, 1, S), 0 for real keys
     * and a large negative number for padding keys, so that softmax gives them weight 0.
     */
    public static NDArray paddingScores(NDArray mask) {
        Shape shape = mask.getShape();
        return mask.sub(1f).mul(-MASKED).reshape(shape.get(0), 1, 1, shape.get(1));
    }

    /**
     * The weights (B, S) that pool the real tokens of a padding mask (B, S) as {@code pooling} does
     * (rows sum to 1): their mean, or the last real token alone.
     *
     * @throws IllegalStateException for {@code FINAL}, which pools a position, not weights
     */
    public static NDArray poolingWeights(ModelConfig.TextPooling pooling, NDArray mask) {
        return switch (pooling) {
            case MEAN -> mask.div(mask.sum(new int[] {1}, true));
            case FINAL -> throw new IllegalStateException("FINAL pools without weights");
            case LAST -> {
                // The last real token is where the mask steps from 1 to 0.
                long batch = mask.getShape().get(0);
                NDArray next =
                        mask.get(new NDIndex(":, 1:"))
                                .concat(mask.getManager().zeros(new Shape(batch, 1)), 1);
                yield mask.sub(next);
            }
        };
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        Shape tokens = new Shape(batch, config.contextLength(), config.textWidth());
        for (TransformerBlock block : blocks) {
            block.initialize(
                    manager, dataType, tokens, new Shape(batch, 1, 1, config.contextLength()));
        }
        finalNorm.initialize(manager, dataType, tokens);
        projection.initialize(manager, dataType, new Shape(batch, config.textWidth()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.embedDim())};
    }
}
