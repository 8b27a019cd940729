package io.streamlip.trainer.clippo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.streamlip.tokenize.render.BitmapFont;
import io.streamlip.trainer.model.ContrastiveModel;
import io.streamlip.trainer.model.ImageTower;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.model.SeededInit;
import io.streamlip.trainer.model.SiglipModel;

/**
 * CLIPPO (Tschannen et al. 2023): one {@link ImageTower} (same ViT weights, same head) embeds both
 * the images and the captions rendered as images, in two forward passes, as big_vision's {@code
 * one_tower.py} does. Besides the tower it holds only the loss's {@code t'} and {@code b}
 * (initialised as {@link SiglipModel}'s). The config's text-tower sizes are not used.
 *
 * <p>A text input is the rendered caption in image layout: (B, 3, H, W) in [-1, 1], the gray
 * rendering repeated over the three channels ({@link ClippoRendering#putRendered}).
 */
public final class ClippoModel extends AbstractBlock implements ContrastiveModel {
    private static final byte VERSION = 1;
    private static final double NORM_EPS = 1e-6;

    private final ModelConfig config;
    private final ImageTower tower;
    private final Parameter logTemperature;
    private final Parameter bias;

    public ClippoModel(ModelConfig config) {
        super(VERSION);
        if (config.family() != ModelFamily.CLIPPO) {
            throw new IllegalArgumentException(
                    "ClippoModel builds the CLIPPO family, not " + config.family());
        }
        if (config.imageSize() < BitmapFont.HEIGHT) {
            throw new IllegalArgumentException(
                    "CLIPPO renders captions in 16 px glyph rows: imageSize must be at least 16, got "
                            + config.imageSize());
        }
        this.config = config;
        tower = addChildBlock("tower", new ImageTower(config));
        logTemperature = addParameter(SiglipModel.newLogTemperature());
        bias = addParameter(SiglipModel.newBias());
    }

    /**
     * A model with freshly initialised parameters in {@code manager} (the tower initialised as
     * {@link SiglipModel#create} initialises its image tower); deterministic for {@code seed}.
     */
    public static ClippoModel create(ModelConfig config, NDManager manager, int seed) {
        return SeededInit.initialise(
                new ClippoModel(config),
                manager,
                seed,
                new Shape(1, 3, config.imageSize(), config.imageSize()));
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    /** The one tower both modalities go through. */
    public ImageTower tower() {
        return tower;
    }

    @Override
    public Parameter logTemperature() {
        return logTemperature;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    @Override
    public NDArray embedImages(ParameterStore ps, NDArray images, boolean training) {
        NDArray raw = tower.forward(ps, new NDList(images), training).singletonOrThrow();
        return raw.normalize(2, 1, NORM_EPS);
    }

    /** The tower's embeddings of rendered captions: {@code texts} holds one (B, 3, H, W) array. */
    @Override
    public NDArray embedTexts(ParameterStore ps, NDList texts, boolean training) {
        return embedImages(ps, texts.get(0), training);
    }

    /** Not supported: CLIPPO reads captions rendered as images, not token ids. */
    @Override
    public NDArray embedTexts(ParameterStore ps, NDArray ids, NDArray mask, boolean training) {
        throw new UnsupportedOperationException(
                "CLIPPO embeds captions rendered as images, not token ids");
    }

    /** Not supported: embed each side with {@link #embedImages} and {@link #embedTexts}. */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException(
                "ClippoModel has no joint forward: use embedImages and embedTexts");
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        tower.initialize(manager, dataType, inputShapes[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.embedDim())};
    }
}
