package io.streamlip.trainer.limoe;

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
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.streamlip.trainer.model.ContrastiveModel;
import io.streamlip.trainer.model.ImageTower;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.model.SeededInit;
import io.streamlip.trainer.model.SiglipModel;
import io.streamlip.trainer.model.TextTower;
import java.util.ArrayList;
import java.util.List;

/**
 * LIMoE: one transformer for image patches and caption tokens. Patches (a convolution, kernel =
 * stride = patch) and tokens (a table) get their own learned positions and a learned modality
 * embedding, then share every block ({@link LimoeBlock}): attention stays within a sequence, and
 * the sparse MLPs ({@link ModelConfig#moe()}) route the tokens of both modalities of the pass
 * together, so experts and capacity are shared between them. A shared final LayerNorm, then per
 * modality: pooling (images: mean over patches; captions: {@link ModelConfig.TextPooling} over real
 * tokens), its own bias-free projection into the embedding space, L2 normalisation. {@code t'} and
 * {@code b} as {@link SiglipModel} has them.
 *
 * <p>{@link #encode} embeds either side or both and returns the auxiliary loss and routing of the
 * pass; routing reads only the parameters and the batch, so the model holds no state between
 * passes.
 */
public final class LimoeModel extends AbstractBlock implements ContrastiveModel {
    private static final byte VERSION = 1;
    private static final double NORM_EPS = 1e-6;

    private final ModelConfig config;
    private final int width;
    private final Conv2d patchEmbedding;
    private final Parameter imagePositions;
    private final Parameter tokenTable;
    private final Parameter textPositions;
    private final Parameter imageModality;
    private final Parameter textModality;
    private final List<LimoeBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear imageProjection;
    private final Linear textProjection;
    private final Parameter logTemperature;
    private final Parameter bias;

    /**
     * A pass's result.
     *
     * @param images unit-length image embeddings (B, D), or null when no images went in
     * @param texts unit-length text embeddings (B, D), or null when no captions went in
     * @param auxiliaryLoss the entropy losses, mean over the sparse blocks (a scalar)
     * @param routing how the pass routed
     */
    public record Encoded(
            NDArray images, NDArray texts, NDArray auxiliaryLoss, RoutingStats routing) {}

    public LimoeModel(ModelConfig config) {
        super(VERSION);
        if (config.family() != ModelFamily.LIMOE) {
            throw new IllegalArgumentException(
                    "LimoeModel builds the LIMOE family, not " + config.family());
        }
        if (config.imagePooling() != ModelConfig.ImagePooling.MEAN) {
            throw new IllegalArgumentException("LIMoE pools image tokens by their mean only");
        }
        this.config = config;
        this.width = config.imageWidth();
        patchEmbedding = addChildBlock("patch_embedding", ImageTower.patchEmbedding(config));
        imagePositions =
                addParameter(normal("image_positions", new Shape(1, config.patchCount(), width)));
        tokenTable = addParameter(normal("token_table", new Shape(config.vocabSize(), width)));
        textPositions =
                addParameter(normal("text_positions", new Shape(1, config.contextLength(), width)));
        imageModality = addParameter(normal("image_modality", new Shape(1, 1, width)));
        textModality = addParameter(normal("text_modality", new Shape(1, 1, width)));
        for (int i = 0; i < config.imageDepth(); i++) {
            MoeConfig moe = config.moe().isMoe(i) ? config.moe() : null;
            blocks.add(
                    addChildBlock(
                            "block_" + i, new LimoeBlock(width, config.imageHeads(), config, moe)));
        }
        finalNorm = addChildBlock("final_norm", LayerNorm.builder().axis(2).build());
        imageProjection =
                addChildBlock(
                        "image_projection",
                        Linear.builder().setUnits(config.embedDim()).optBias(false).build());
        textProjection =
                addChildBlock(
                        "text_projection",
                        Linear.builder().setUnits(config.embedDim()).optBias(false).build());
        logTemperature = addParameter(SiglipModel.newLogTemperature());
        bias = addParameter(SiglipModel.newBias());
    }

    /**
     * A model with fresh parameters in {@code manager}, deterministic for {@code seed}: Xavier for
     * the layers, N(0, 0.02) tables, positions and modality embeddings, experts as {@link MoeMlp}
     * initialises them.
     */
    public static LimoeModel create(ModelConfig config, NDManager manager, int seed) {
        LimoeModel model = new LimoeModel(config);
        return SeededInit.initialise(model, manager, seed, config.inputShapes(1));
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Parameter logTemperature() {
        return logTemperature;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    public List<LimoeBlock> blocks() {
        return blocks;
    }

    @Override
    public NDArray embedImages(ParameterStore ps, NDArray images, boolean training) {
        return encode(ps, images, null, null, training).images();
    }

    @Override
    public NDArray embedTexts(ParameterStore ps, NDArray ids, NDArray mask, boolean training) {
        return encode(ps, null, ids, mask, training).texts();
    }

    /** {@link #embedTexts(ParameterStore, NDArray, NDArray, boolean)} of {@code (ids, mask)}. */
    @Override
    public NDArray embedTexts(ParameterStore ps, NDList texts, boolean training) {
        return embedTexts(ps, texts.get(0), texts.get(1), training);
    }

    /** One modality's sequences as they go through the blocks. */
    private static final class Stream {
        final Modality modality;
        final long batch;
        final long length;
        final NDArray attentionMask;
        final boolean[] valid;
        NDArray x;

        Stream(Modality modality, NDArray x, NDArray attentionMask, boolean[] valid) {
            this.modality = modality;
            this.x = x;
            this.batch = x.getShape().get(0);
            this.length = x.getShape().get(1);
            this.attentionMask = attentionMask;
            this.valid = valid;
        }
    }

    /**
     * Embeds {@code images} (B, 3, H, W), or null, and captions {@code ids} (B', S) with {@code
     * mask} (B', S), or null, in one pass: the sparse blocks route both modalities' tokens
     * together.
     */
    public Encoded encode(
            ParameterStore ps, NDArray images, NDArray ids, NDArray mask, boolean training) {
        if (images == null && ids == null) {
            throw new IllegalArgumentException("nothing to encode");
        }
        List<Stream> streams = new ArrayList<>(2);
        if (images != null) {
            streams.add(imageStream(ps, images, training));
        }
        if (ids != null) {
            streams.add(textStream(ps, ids, mask, training));
        }
        NDManager m = streams.get(0).x.getManager();
        NDArray aux = m.zeros(new Shape());
        List<RoutingStats.BlockRouting> routing = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            LimoeBlock block = blocks.get(i);
            for (Stream s : streams) {
                s.x = block.attend(ps, s.x, s.attentionMask, training);
            }
            if (!block.sparse()) {
                for (Stream s : streams) {
                    s.x = block.denseMlp(ps, s.x, training);
                }
                continue;
            }
            NDList rows = new NDList();
            List<MoeMlp.Segment> segments = new ArrayList<>();
            int start = 0;
            for (Stream s : streams) {
                int n = (int) (s.batch * s.length);
                rows.add(s.x.reshape(n, width));
                segments.add(new MoeMlp.Segment(s.modality, start, start + n, s.valid));
                start += n;
            }
            NDArray joined = rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
            MoeMlp.Output out = block.moe().route(ps, joined, segments, training);
            for (int k = 0; k < streams.size(); k++) {
                Stream s = streams.get(k);
                MoeMlp.Segment seg = segments.get(k);
                NDArray part =
                        streams.size() == 1
                                ? out.output()
                                : out.output().get(new NDIndex(seg.start() + ":" + seg.end()));
                s.x = part.reshape(s.batch, s.length, width);
            }
            aux = aux.add(out.auxiliaryLoss());
            routing.add(new RoutingStats.BlockRouting(i, out.routing()));
        }
        if (!routing.isEmpty()) {
            aux = aux.mul(m.create(1f / routing.size()));
        }
        NDArray imageOut = null;
        NDArray textOut = null;
        for (Stream s : streams) {
            NDArray x = finalNorm.forward(ps, new NDList(s.x), training).singletonOrThrow();
            if (s.modality == Modality.IMAGE) {
                NDArray pooled = x.mean(new int[] {1});
                imageOut = project(ps, imageProjection, pooled, training);
            } else {
                // FINAL (Hugging Face SigLIP's last position) is refused by ModelConfig for LIMoE.
                NDArray weights = TextTower.poolingWeights(config.textPooling(), mask);
                NDArray pooled = x.mul(weights.expandDims(2)).sum(new int[] {1});
                textOut = project(ps, textProjection, pooled, training);
            }
        }
        return new Encoded(imageOut, textOut, aux, new RoutingStats(routing, aux.getFloat()));
    }

    private static NDArray project(
            ParameterStore ps, Linear projection, NDArray pooled, boolean training) {
        return projection
                .forward(ps, new NDList(pooled), training)
                .singletonOrThrow()
                .normalize(2, 1, NORM_EPS);
    }

    private Stream imageStream(ParameterStore ps, NDArray images, boolean training) {
        long batch = images.getShape().get(0);
        NDArray patches =
                patchEmbedding.forward(ps, new NDList(images), training).singletonOrThrow();
        NDArray x = patches.reshape(batch, width, config.patchCount()).transpose(0, 2, 1);
        x = x.add(ps.getValue(imagePositions, images.getDevice(), training));
        x = x.add(ps.getValue(imageModality, images.getDevice(), training));
        boolean[] valid = new boolean[(int) (batch * config.patchCount())];
        java.util.Arrays.fill(valid, true);
        return new Stream(Modality.IMAGE, x, null, valid);
    }

    private Stream textStream(ParameterStore ps, NDArray ids, NDArray mask, boolean training) {
        TextTower.requirePadded(config, ids);
        NDArray table = ps.getValue(tokenTable, ids.getDevice(), training);
        NDArray x = Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
        x = x.add(ps.getValue(textPositions, ids.getDevice(), training));
        x = x.add(ps.getValue(textModality, ids.getDevice(), training));
        NDArray additive = TextTower.paddingScores(mask);
        float[] host = mask.toFloatArray();
        boolean[] valid = new boolean[host.length];
        for (int i = 0; i < host.length; i++) {
            valid[i] = host[i] > 0;
        }
        return new Stream(Modality.TEXT, x, additive, valid);
    }

    /** Not supported: use {@link #encode}. */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("LimoeModel has no block forward: use encode");
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        patchEmbedding.initialize(manager, dataType, inputShapes[0]);
        Shape tokens = new Shape(batch, config.contextLength(), width);
        for (LimoeBlock block : blocks) {
            block.initialize(manager, dataType, tokens);
        }
        finalNorm.initialize(manager, dataType, tokens);
        Shape pooled = new Shape(batch, width);
        imageProjection.initialize(manager, dataType, pooled);
        textProjection.initialize(manager, dataType, pooled);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return SiglipModel.embeddingShapes(config, inputShapes[0].get(0));
    }

    private static Parameter normal(String name, Shape shape) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.OTHER)
                .optShape(shape)
                .optInitializer(new NormalInitializer(0.02f))
                .build();
    }
}
