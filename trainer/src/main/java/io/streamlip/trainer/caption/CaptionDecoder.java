package io.streamlip.trainer.caption;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
import io.streamlip.trainer.model.DecoderConfig;
import io.streamlip.trainer.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The captioner's text decoder: a token table over the tokenizer's ids and the language prompts
 * ({@link DecoderConfig}), learned positions, {@link DecoderBlock}s attending causally to the
 * caption so far and to the image's patch tokens (projected to the decoder's width), a final
 * LayerNorm and a linear layer to logits over the tokenizer's ids (prompts are never predicted).
 *
 * <p>Inputs: decoder input ids (B, L) as int32 with {@code L <= maxLength}, and the image tower's
 * patch tokens (B, P, imageWidth). Output: logits (B, L, vocabSize); position t depends on input
 * ids 0..t only.
 */
public final class CaptionDecoder extends AbstractBlock {
    private static final byte VERSION = 1;

    /** Added to the attention scores of future positions: softmax gives them weight 0. */
    private static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final DecoderConfig decoder;
    private final Parameter tokenTable;
    private final Parameter positions;
    private final Linear imageProjection;
    private final List<DecoderBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear output;

    public CaptionDecoder(ModelConfig config) {
        super(VERSION);
        this.config = config;
        this.decoder = config.decoder();
        int width = decoder.width();
        tokenTable =
                addParameter(
                        Parameter.builder()
                                .setName("token_table")
                                .setType(Parameter.Type.OTHER)
                                .optShape(
                                        new Shape(
                                                config.vocabSize() + decoder.promptCount(), width))
                                .optInitializer(new NormalInitializer(0.02f))
                                .build());
        positions =
                addParameter(
                        Parameter.builder()
                                .setName("positions")
                                .setType(Parameter.Type.OTHER)
                                .optShape(new Shape(decoder.maxLength(), width))
                                .optInitializer(new NormalInitializer(0.01f))
                                .build());
        imageProjection =
                addChildBlock("image_projection", Linear.builder().setUnits(width).build());
        for (int i = 0; i < decoder.depth(); i++) {
            blocks.add(
                    addChildBlock("block_" + i, new DecoderBlock(width, decoder.heads(), config)));
        }
        finalNorm = addChildBlock("final_norm", LayerNorm.builder().axis(2).build());
        output = addChildBlock("output", Linear.builder().setUnits(config.vocabSize()).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray imageTokens = inputs.get(1);
        long length = ids.getShape().get(1);
        if (length < 1 || length > decoder.maxLength()) {
            throw new IllegalArgumentException(
                    "decoder input of " + length + " tokens; 1 to " + decoder.maxLength());
        }
        NDArray table = ps.getValue(tokenTable, ids.getDevice(), training);
        NDArray x = Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
        // Positions looked up like tokens (not sliced): a slice of a parameter would belong to
        // the parameter's manager and outlive the step.
        NDArray positionIds = ids.getManager().arange(0, (int) length, 1, DataType.INT32);
        NDArray pos = ps.getValue(positions, ids.getDevice(), training);
        x = x.add(Embedding.embedding(positionIds, pos, SparseFormat.DENSE).singletonOrThrow());
        NDArray memory =
                imageProjection.forward(ps, new NDList(imageTokens), training).singletonOrThrow();
        NDArray causal = causalMask(ids.getManager(), length);
        for (DecoderBlock block : blocks) {
            x = block.forward(ps, new NDList(x, memory, causal), training).singletonOrThrow();
        }
        x = finalNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        return output.forward(ps, new NDList(x), training);
    }

    /** (1, 1, L, L): 0 where key j <= query i, {@link #MASKED} where j > i. */
    static NDArray causalMask(NDManager manager, long length) {
        int n = Math.toIntExact(length);
        float[] mask = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                mask[i * n + j] = MASKED;
            }
        }
        return manager.create(mask, new Shape(1, 1, n, n));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        Shape tokens = new Shape(batch, decoder.maxLength(), decoder.width());
        Shape memory = new Shape(batch, config.patchCount(), decoder.width());
        imageProjection.initialize(
                manager, dataType, new Shape(batch, config.patchCount(), config.imageWidth()));
        for (DecoderBlock block : blocks) {
            block.initialize(
                    manager,
                    dataType,
                    tokens,
                    memory,
                    new Shape(1, 1, decoder.maxLength(), decoder.maxLength()));
        }
        finalNorm.initialize(manager, dataType, tokens);
        output.initialize(manager, dataType, tokens);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape ids = inputShapes[0];
        return new Shape[] {new Shape(ids.get(0), ids.get(1), config.vocabSize())};
    }
}
