package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The image tower: a ViT. Patches are embedded by a convolution whose kernel and stride are the
 * patch size, learned positions are added, pre-LN transformer blocks follow, then a final
 * LayerNorm, pooling over the patches ({@link ModelConfig.ImagePooling}: mean, or multihead
 * attention pooling with a {@link MapHead}) and a linear projection into the shared embedding space
 * (none when {@link ModelConfig#imageProjection} is off, as in Hugging Face SigLIP).
 *
 * <p>Input: images (B, 3, H, W) as float32 in [-1, 1]. Output: unnormalised embeddings (B, D).
 */
public final class ImageTower extends AbstractBlock {
    private static final byte VERSION = 1;

    private final ModelConfig config;
    private final Conv2d patchEmbedding;
    private final Parameter positions;
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final MapHead mapHead;
    private final Linear projection;

    public ImageTower(ModelConfig config) {
        super(VERSION);
        this.config = config;
        patchEmbedding = addChildBlock("patch_embedding", patchEmbedding(config));
        positions =
                addParameter(
                        Parameter.builder()
                                .setName("positions")
                                .setType(Parameter.Type.OTHER)
                                .optShape(new Shape(1, config.patchCount(), config.imageWidth()))
                                .optInitializer(new NormalInitializer(0.02f))
                                .build());
        for (int i = 0; i < config.imageDepth(); i++) {
            blocks.add(
                    addChildBlock(
                            "block_" + i,
                            new TransformerBlock(
                                    config.imageWidth(),
                                    config.imageHeads(),
                                    config.imageMlpWidth(),
                                    config)));
        }
        finalNorm = addChildBlock("final_norm", ResidualMlp.layerNorm(config));
        mapHead =
                config.imagePooling() == ModelConfig.ImagePooling.MAP
                        ? addChildBlock(
                                "map_head",
                                new MapHead(
                                        config.imageWidth(),
                                        config.imageHeads(),
                                        config.imageMlpWidth(),
                                        config))
                        : null;
        projection =
                config.imageProjection()
                        ? addChildBlock(
                                "projection",
                                Linear.builder().setUnits(config.embedDim()).optBias(false).build())
                        : null;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = patchTokens(ps, inputs.singletonOrThrow(), training);
        return new NDList(embed(ps, x, training));
    }

    /**
     * Unnormalised embeddings (B, D) of {@link #patchTokens} (B, P, W): pooling and projection, the
     * rest of the forward pass (a captioner shares one patch pass between its decoder and this).
     */
    public NDArray embed(ParameterStore ps, NDArray tokens, boolean training) {
        NDArray pooled =
                mapHead == null
                        ? tokens.mean(new int[] {1})
                        : mapHead.forward(ps, new NDList(tokens), training).singletonOrThrow();
        return projection == null
                ? pooled
                : projection.forward(ps, new NDList(pooled), training).singletonOrThrow();
    }

    /**
     * The patch tokens after the last block and the final LayerNorm, before pooling: (B, P, W) for
     * images (B, 3, H, W). What a captioner's decoder attends to.
     */
    public NDArray patchTokens(ParameterStore ps, NDArray images, boolean training) {
        long batch = images.getShape().get(0);
        NDArray patches =
                patchEmbedding.forward(ps, new NDList(images), training).singletonOrThrow();
        // (B, W, h, w) -> (B, h*w, W)
        NDArray x =
                patches.reshape(batch, config.imageWidth(), config.patchCount()).transpose(0, 2, 1);
        // x first: the sum then belongs to the step's manager, not the parameter's.
        x = x.add(ps.getValue(positions, images.getDevice(), training));
        for (TransformerBlock block : blocks) {
            x = block.forward(ps, new NDList(x), training).singletonOrThrow();
        }
        return finalNorm.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape images = inputShapes[0];
        long batch = images.get(0);
        Shape tokens = new Shape(batch, config.patchCount(), config.imageWidth());
        patchEmbedding.initialize(manager, dataType, images);
        for (TransformerBlock block : blocks) {
            block.initialize(manager, dataType, tokens);
        }
        finalNorm.initialize(manager, dataType, tokens);
        if (mapHead != null) {
            mapHead.initialize(manager, dataType, tokens);
        }
        if (projection != null) {
            projection.initialize(manager, dataType, new Shape(batch, config.imageWidth()));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.embedDim())};
    }

    /**
     * The patch embedding: a convolution with kernel = stride = the patch size, one filter per
     * channel of the model's width (image width).
     */
    public static Conv2d patchEmbedding(ModelConfig config) {
        int patch = config.patchSize();
        return Conv2d.builder()
                .setKernelShape(new Shape(patch, patch))
                .optStride(new Shape(patch, patch))
                .setFilters(config.imageWidth())
                .build();
    }
}
