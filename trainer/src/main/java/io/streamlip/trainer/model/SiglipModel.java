package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * The two-tower SigLIP model: an {@link ImageTower} and a {@link TextTower} whose outputs are
 * L2-normalised, plus the loss's two scalars, the log-temperature {@code t'} (init {@code log 10})
 * and the bias {@code b} (init {@code -10}), held as parameters so they are optimised and saved
 * like every other weight.
 *
 * <p>Each side is embedded on its own ({@link #embedImages}, {@link #embedTexts}: unit-length (B,
 * D)), since a locked or cached image tower leaves the image side out of a step; the loss forms the
 * logits {@code exp(t') x y^T + b} from the two ({@code LossStep}). The block's {@code forward} is
 * therefore not supported.
 */
public final class SiglipModel extends AbstractBlock implements ContrastiveModel {
    private static final byte VERSION = 1;

    /** {@code t'} at initialisation: the temperature {@code t = exp(t')} starts at 10. */
    public static final float INITIAL_LOG_TEMPERATURE = (float) Math.log(10);

    /** {@code b} at initialisation: a prior that almost every pair is a negative. */
    public static final float INITIAL_BIAS = -10f;

    private static final double NORM_EPS = 1e-6;

    private final ModelConfig config;
    private final ImageTower imageTower;
    private final TextTower textTower;
    private final Parameter logTemperature;
    private final Parameter bias;

    public SiglipModel(ModelConfig config) {
        super(VERSION);
        if (config.family() != ModelFamily.TWO_TOWER) {
            throw new IllegalArgumentException(
                    "SiglipModel builds the two-tower family, not " + config.family());
        }
        this.config = config;
        imageTower = addChildBlock("image", new ImageTower(config));
        textTower = addChildBlock("text", new TextTower(config));
        logTemperature = addParameter(newLogTemperature());
        bias = addParameter(newBias());
    }

    /**
     * A fresh {@code t'} parameter ({@code log_temperature}, at {@link #INITIAL_LOG_TEMPERATURE}).
     */
    public static Parameter newLogTemperature() {
        return scalar("log_temperature", INITIAL_LOG_TEMPERATURE);
    }

    /** A fresh {@code b} parameter ({@code bias}, at {@link #INITIAL_BIAS}). */
    public static Parameter newBias() {
        return scalar("bias", INITIAL_BIAS);
    }

    /**
     * A model with freshly initialised parameters in {@code manager}: Xavier-uniform projections
     * and convolution, N(0, 0.02) token table and image positions, N(0, 0.01) text positions,
     * ones/zeros for the norms, zeros for biases. Deterministic for {@code seed} (it seeds the
     * engine's generator).
     */
    public static SiglipModel create(ModelConfig config, NDManager manager, int seed) {
        SiglipModel model = new SiglipModel(config);
        return SeededInit.initialise(model, manager, seed, model.inputShapes(1));
    }

    /** Shapes of the three inputs for a batch of {@code batch}: {@link ModelConfig#inputShapes}. */
    public Shape[] inputShapes(long batch) {
        return config.inputShapes(batch);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    public ImageTower imageTower() {
        return imageTower;
    }

    public TextTower textTower() {
        return textTower;
    }

    @Override
    public Parameter logTemperature() {
        return logTemperature;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    /** Not supported: see the class comment. */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException(
                "SiglipModel has no joint forward: use embedImages and embedTexts, and LossStep for"
                        + " the loss");
    }

    /** Unit-length image embeddings (B, D) of images (B, 3, H, W) in [-1, 1]. */
    @Override
    public NDArray embedImages(ParameterStore ps, NDArray images, boolean training) {
        NDArray raw = imageTower.forward(ps, new NDList(images), training).singletonOrThrow();
        return raw.normalize(2, 1, NORM_EPS);
    }

    /** Unit-length text embeddings (B, D) of padded token ids (B, S) and their mask. */
    @Override
    public NDArray embedTexts(ParameterStore ps, NDArray ids, NDArray mask, boolean training) {
        NDArray raw = textTower.forward(ps, new NDList(ids, mask), training).singletonOrThrow();
        return raw.normalize(2, 1, NORM_EPS);
    }

    /** {@link #embedTexts(ParameterStore, NDArray, NDArray, boolean)} of {@code (ids, mask)}. */
    @Override
    public NDArray embedTexts(ParameterStore ps, NDList texts, boolean training) {
        return embedTexts(ps, texts.get(0), texts.get(1), training);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        imageTower.initialize(manager, dataType, inputShapes[0]);
        textTower.initialize(manager, dataType, inputShapes[1], inputShapes[2]);
    }

    /** The shapes of {@link #embedImages} and {@link #embedTexts} for {@link #inputShapes}. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return embeddingShapes(config, inputShapes[0].get(0));
    }

    /**
     * The shapes of the image and the text embeddings of a batch of {@code batch}: (B, D) each, D
     * the model's {@code embedDim}.
     */
    public static Shape[] embeddingShapes(ModelConfig config, long batch) {
        return new Shape[] {
            new Shape(batch, config.embedDim()), new Shape(batch, config.embedDim())
        };
    }

    private static Parameter scalar(String name, float value) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1))
                .optInitializer(new ConstantInitializer(value))
                .build();
    }
}
