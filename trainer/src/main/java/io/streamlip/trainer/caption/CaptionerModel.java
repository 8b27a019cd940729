package io.streamlip.trainer.caption;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.model.SeededInit;
import io.streamlip.trainer.model.SiglipModel;

/**
 * The PaLI-style captioner ({@link ModelFamily#CAPTIONER}): a {@link SiglipModel} of the same shape
 * whose image tower's patch tokens feed a {@link CaptionDecoder}. The two-tower part is held whole
 * so that, with {@code decoder.contrastive}, the sigmoid loss trains beside the decoder on the same
 * image tower (SigLIP 2) and retrieval, scoring and LiT work as for two towers. Without it the text
 * tower, {@code t'}, {@code b} and the image tower's pooling and projection take no part: they are
 * frozen ({@link #freezeUnused}) and stay at their initial values.
 *
 * <p>Not a joint {@code forward}: {@link #logits} for teacher forcing and decoding.
 */
public final class CaptionerModel extends AbstractBlock {
    private static final byte VERSION = 1;

    private final ModelConfig config;
    private final SiglipModel towers;
    private final CaptionDecoder decoder;

    public CaptionerModel(ModelConfig config) {
        super(VERSION);
        if (config.family() != ModelFamily.CAPTIONER) {
            throw new IllegalArgumentException(
                    "CaptionerModel builds the captioner family, not " + config.family());
        }
        this.config = config;
        towers = addChildBlock("towers", new SiglipModel(twoTowers(config)));
        decoder = addChildBlock("decoder", new CaptionDecoder(config));
    }

    /** The two-tower shape inside a captioner's shape. */
    public static ModelConfig twoTowers(ModelConfig config) {
        return config.toBuilder().family(ModelFamily.TWO_TOWER).decoder(null).build();
    }

    /**
     * A captioner with freshly initialised parameters in {@code manager}, initialised as {@link
     * SiglipModel#create} does (Xavier-uniform weights, the blocks' own initialisers elsewhere),
     * deterministic for {@code seed}; unused parts frozen.
     */
    public static CaptionerModel create(ModelConfig config, NDManager manager, int seed) {
        CaptionerModel model = new CaptionerModel(config);
        SeededInit.initialise(model, manager, seed, model.inputShapes(1));
        model.freezeUnused();
        return model;
    }

    /** Shapes for a batch of {@code batch}: the two towers' three inputs, then decoder ids. */
    public Shape[] inputShapes(long batch) {
        Shape[] two = towers.inputShapes(batch);
        return new Shape[] {two[0], two[1], two[2], new Shape(batch, config.decoder().maxLength())};
    }

    /**
     * Freezes what the loss does not reach: without {@code contrastive}, the text tower, {@code
     * t'}, {@code b} and the image tower's pooling and projection. Call again after loading
     * parameters (loading unfreezes).
     */
    public void freezeUnused() {
        if (config.decoder().contrastive()) {
            return;
        }
        towers.textTower().freezeParameters(true);
        towers.logTemperature().freeze(true);
        towers.bias().freeze(true);
        for (Pair<String, Block> child : towers.imageTower().getChildren()) {
            String name = child.getKey();
            if (name.endsWith("projection") || name.endsWith("map_head")) {
                child.getValue().freezeParameters(true);
            }
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** The two-tower part: its image tower feeds the decoder. */
    public SiglipModel towers() {
        return towers;
    }

    public CaptionDecoder decoder() {
        return decoder;
    }

    /** The image tower's patch tokens (B, P, imageWidth) of images (B, 3, H, W) in [-1, 1]. */
    public NDArray imageTokens(ParameterStore ps, NDArray images, boolean training) {
        return towers.imageTower().patchTokens(ps, images, training);
    }

    /** Logits (B, L, vocabSize) of decoder inputs (B, L) int32 given the images' patch tokens. */
    public NDArray logits(
            ParameterStore ps, NDArray imageTokens, NDArray inputIds, boolean training) {
        return decoder.forward(ps, new NDList(inputIds, imageTokens), training).singletonOrThrow();
    }

    /** Not supported: see the class comment. */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException(
                "CaptionerModel has no joint forward: use imageTokens and logits");
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        towers.initialize(manager, dataType, inputShapes[0], inputShapes[1], inputShapes[2]);
        long batch = inputShapes[0].get(0);
        decoder.initialize(
                manager,
                dataType,
                inputShapes[3],
                new Shape(batch, config.patchCount(), config.imageWidth()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return decoder.getOutputShapes(
                new Shape[] {
                    inputShapes[3],
                    new Shape(inputShapes[0].get(0), config.patchCount(), config.imageWidth())
                });
    }
}
