package io.streamlip.trainer.model;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.trainer.limoe.MoeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Shape of a two-tower SigLIP model: a ViT image tower and a transformer text tower that both end
 * in an {@code embedDim}-wide projection. Saved in every checkpoint's {@code state.json}, so a
 * checkpoint can be rebuilt without knowing which preset made it. Presets ({@link #preset}) are
 * named-field JSON resources; how they were chosen: docs/decisions/model-presets.md.
 */
@JsonDeserialize(builder = ModelConfig.Builder.class)
public record ModelConfig(
        // preset name (tiny, small, b16) or custom
        String name,
        // height and width of the (square) input images, in pixels
        int imageSize,
        // side of the square patches; divides imageSize
        int patchSize,
        // width of the image transformer
        int imageWidth,
        // number of image transformer blocks
        int imageDepth,
        // attention heads of the image tower; divide imageWidth
        int imageHeads,
        // width of the text transformer
        int textWidth,
        // number of text transformer blocks
        int textDepth,
        // attention heads of the text tower; divide textWidth
        int textHeads,
        // hidden width of every MLP as a multiple of its block's width; ignored (may be 0) when
        //     mlpWidth is given
        int mlpRatio,
        // width of the shared embedding space both towers project into
        int embedDim,
        // tokens per caption the text tower sees (padded or truncated to it)
        int contextLength,
        // size of the tokenizer's id space
        int vocabSize,
        // how the text tower pools its token states
        TextPooling textPooling,
        // how the image tower pools its patch states (null reads as MEAN, as in
        //     checkpoints written before the option)
        ImagePooling imagePooling,
        // which architecture this shape builds (null reads as TWO_TOWER, as in checkpoints written
        //     before the option)
        ModelFamily family,
        // hidden width of every MLP (both towers and the MAP head), e.g. So400m's 4304; null:
        //     mlpRatio times the block's width
        Integer mlpWidth,
        // epsilon of every LayerNorm (1e-5 when absent, as before the option; SigLIP's 1e-6)
        double layerNormEps,
        // the MLPs' activation (null reads as GELU, the exact erf form)
        MlpActivation mlpActivation,
        // whether the image tower ends in a bias-free linear projection (true when absent);
        //     without one (Hugging Face SigLIP) embedDim must equal imageWidth
        boolean imageProjection,
        // whether the text tower's projection has a bias (false when absent; SigLIP's head has one)
        boolean textProjectionBias,
        // with FINAL text pooling, the id padding positions hold (SigLIP pads with 1, its EOS)
        int padTokenId,
        // LIMoE's experts, routing and auxiliary losses: set for LIMOE, null for the others
        MoeConfig moe,
        // the captioner's text decoder: set exactly when family is CAPTIONER, null otherwise
        DecoderConfig decoder) {

    private static final String PRESETS = "presets/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the text tower turns token states into one vector. */
    public enum TextPooling {
        /** Mean over the non-padding tokens. */
        MEAN,
        /** The state of the last non-padding token (the end-of-sequence token). */
        LAST,
        /**
         * The state at the last position of the context, as Hugging Face SigLIP pools: padding is
         * not masked, it holds {@code padTokenId} and is attended like any token (SigLIP was
         * trained so, with "sticky" end-of-sequence padding).
         */
        FINAL
    }

    /** The activation between the two linear layers of every MLP. */
    public enum MlpActivation {
        /** GELU in its exact form, {@code x Φ(x)}. */
        GELU,
        /** GELU's tanh approximation (PyTorch's {@code gelu(approximate="tanh")}, SigLIP's). */
        GELU_TANH
    }

    /** How the image tower turns patch states into one vector. */
    public enum ImagePooling {
        /** Mean over the patches. */
        MEAN,
        /**
         * Multihead attention pooling (big_vision's {@code MAPHead}, SigLIP's choice): a learned
         * probe attends over the patches, followed by a residual MLP ({@link MapHead}).
         */
        MAP
    }

    public ModelConfig {
        if (imagePooling == null) {
            imagePooling = ImagePooling.MEAN;
        }
        if (family == null) {
            family = ModelFamily.TWO_TOWER;
        }
        if (mlpActivation == null) {
            mlpActivation = MlpActivation.GELU;
        }
        if (mlpWidth != null) {
            positive("mlpWidth", mlpWidth);
            if (mlpRatio < 0) {
                throw new IllegalArgumentException(
                        "mlpRatio must not be negative, got " + mlpRatio);
            }
        } else {
            positive("mlpRatio", mlpRatio);
        }
        if (!(layerNormEps > 0 && layerNormEps < 1)) {
            throw new IllegalArgumentException(
                    "layerNormEps must be in (0, 1), got " + layerNormEps);
        }
        if (!imageProjection && embedDim != imageWidth) {
            throw new IllegalArgumentException(
                    "without an image projection embedDim ("
                            + embedDim
                            + ") must equal imageWidth ("
                            + imageWidth
                            + ")");
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new IllegalArgumentException(
                    "padTokenId must be a token id below vocabSize "
                            + vocabSize
                            + ", got "
                            + padTokenId);
        }
        positive("imageSize", imageSize);
        positive("patchSize", patchSize);
        positive("imageWidth", imageWidth);
        positive("imageDepth", imageDepth);
        positive("imageHeads", imageHeads);
        positive("textWidth", textWidth);
        positive("textDepth", textDepth);
        positive("textHeads", textHeads);
        positive("embedDim", embedDim);
        positive("contextLength", contextLength);
        positive("vocabSize", vocabSize);
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException(
                    "patchSize " + patchSize + " must divide imageSize " + imageSize);
        }
        if (imageWidth % imageHeads != 0) {
            throw new IllegalArgumentException(
                    "imageHeads " + imageHeads + " must divide imageWidth " + imageWidth);
        }
        if (textWidth % textHeads != 0) {
            throw new IllegalArgumentException(
                    "textHeads " + textHeads + " must divide textWidth " + textWidth);
        }
        if (textPooling == null) {
            throw new IllegalArgumentException("textPooling must be set");
        }
        if ((family == ModelFamily.CAPTIONER) != (decoder != null)) {
            throw new IllegalArgumentException(
                    "a decoder is set exactly for the CAPTIONER family, not for " + family);
        }
        if (decoder != null && decoder.maxLength() > contextLength) {
            throw new IllegalArgumentException(
                    "decoder maxLength "
                            + decoder.maxLength()
                            + " exceeds the context length "
                            + contextLength);
        }
        checkMoe(
                family,
                moe,
                textPooling,
                imageWidth,
                imageDepth,
                imageHeads,
                textWidth,
                textDepth,
                textHeads);
    }

    /** LIMoE: one transformer, so the text sizes repeat the image ones; its layers exist. */
    private static void checkMoe(
            ModelFamily family,
            MoeConfig moe,
            TextPooling textPooling,
            int imageWidth,
            int imageDepth,
            int imageHeads,
            int textWidth,
            int textDepth,
            int textHeads) {
        if (family != ModelFamily.LIMOE) {
            if (moe != null) {
                throw new IllegalArgumentException("moe is set but the family is " + family);
            }
            return;
        }
        if (moe == null) {
            throw new IllegalArgumentException("the LIMOE family needs its moe settings");
        }
        if (textPooling == TextPooling.FINAL) {
            throw new IllegalArgumentException("LIMoE pools text MEAN or LAST, not FINAL");
        }
        if (textWidth != imageWidth || textDepth != imageDepth || textHeads != imageHeads) {
            throw new IllegalArgumentException(
                    "LIMoE has one transformer: textWidth/textDepth/textHeads must equal"
                            + " imageWidth/imageDepth/imageHeads");
        }
        int last = moe.moeLayers().get(moe.moeLayers().size() - 1);
        if (last >= imageDepth) {
            throw new IllegalArgumentException(
                    "moeLayers " + moe.moeLayers() + " name a block beyond depth " + imageDepth);
        }
    }

    /** The {@code tiny} preset over {@code vocabSize} ids: for tests. */
    public static ModelConfig tiny(int vocabSize) {
        return preset("tiny", vocabSize);
    }

    /** The {@code small} preset over {@code vocabSize} ids: the CPU demo's, the default. */
    public static ModelConfig small(int vocabSize) {
        return preset("small", vocabSize);
    }

    /**
     * The {@code b16} preset over {@code vocabSize} ids: SigLIP B/16 with exactly the architecture
     * and parameters of Hugging Face's {@code google/siglip-base-patch16-224}, for a GPU.
     */
    public static ModelConfig b16(int vocabSize) {
        return preset("b16", vocabSize);
    }

    /**
     * The {@code so400m} preset over {@code vocabSize} ids: SigLIP's shape-optimised So400m/14 at
     * 224 px ({@code google/siglip-so400m-patch14-224}'s architecture).
     */
    public static ModelConfig so400m(int vocabSize) {
        return preset("so400m", vocabSize);
    }

    /**
     * The preset called {@code name} over {@code vocabSize} ids: the resource {@code
     * presets/<name>.json} beside this class, which names every component but {@code name} and
     * {@code vocabSize}; a captioner preset's decoder without {@code languages} gets a prompt for
     * each of the demo's languages ({@link EmojiCorpus#DEMO_LANGUAGES}).
     *
     * @throws IllegalArgumentException naming the known presets when there is none of that name
     */
    public static ModelConfig preset(String name, int vocabSize) {
        URL resource =
                name.matches("[A-Za-z0-9_-]+")
                        ? ModelConfig.class.getResource(PRESETS + name + ".json")
                        : null;
        if (resource == null) {
            throw new IllegalArgumentException(
                    "unknown model preset '"
                            + name
                            + "'; known: "
                            + String.join(", ", presetNames()));
        }
        try (InputStream in = resource.openStream()) {
            ObjectNode tree = (ObjectNode) JSON.readTree(in);
            tree.put("name", name).put("vocabSize", vocabSize);
            if (tree.path("decoder").isObject() && !tree.path("decoder").has("languages")) {
                // A captioner preset prompts every language the demo's stream carries.
                ((ObjectNode) tree.get("decoder"))
                        .set("languages", JSON.valueToTree(EmojiCorpus.DEMO_LANGUAGES));
            }
            return JSON.treeToValue(tree, ModelConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model preset " + resource, e);
        }
    }

    /** The names of the presets {@link #preset} knows, sorted. */
    public static List<String> presetNames() {
        URL folder = ModelConfig.class.getResource(PRESETS);
        if (folder == null) {
            return List.of();
        }
        try {
            URI uri = folder.toURI();
            if (!"jar".equals(uri.getScheme())) {
                return jsonNames(Path.of(uri));
            }
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                return jsonNames(jar.provider().getPath(uri));
            } catch (FileSystemAlreadyExistsException e) {
                return jsonNames(FileSystems.getFileSystem(uri).provider().getPath(uri));
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the model presets in " + folder, e);
        }
    }

    private static List<String> jsonNames(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".json"))
                    .map(f -> f.substring(0, f.length() - ".json".length()))
                    .sorted()
                    .toList();
        }
    }

    /**
     * Shapes of a batch of {@code batch} as the models reading images and token ids take it (two
     * towers, LIMoE, the captioner's towers): images (B, 3, H, W), ids (B, S) and their mask (B,
     * S).
     */
    public Shape[] inputShapes(long batch) {
        return new Shape[] {
            new Shape(batch, 3, imageSize, imageSize),
            new Shape(batch, contextLength),
            new Shape(batch, contextLength)
        };
    }

    /** The hidden width of the image tower's MLPs (and its MAP head's). */
    public int imageMlpWidth() {
        return mlpWidth != null ? mlpWidth : mlpRatio * imageWidth;
    }

    /** The hidden width of the text tower's MLPs. */
    public int textMlpWidth() {
        return mlpWidth != null ? mlpWidth : mlpRatio * textWidth;
    }

    /** Patches per image, i.e. the image tower's sequence length. */
    public int patchCount() {
        int side = imageSize / patchSize;
        return side * side;
    }

    /** A builder with nothing set: every size must be given ({@link #toBuilder} of a preset). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A captioner's shape with a language prompt for each of {@code langs} ({@link
     * DecoderConfig#promptsExtendedTo}); any other family's unchanged.
     */
    public ModelConfig captionPromptsExtendedTo(List<String> langs) {
        return decoder == null
                ? this
                : toBuilder().decoder(decoder.promptsExtendedTo(langs)).build();
    }

    /** A builder holding this shape. */
    public Builder toBuilder() {
        return new Builder()
                .name(name)
                .imageSize(imageSize)
                .patchSize(patchSize)
                .imageWidth(imageWidth)
                .imageDepth(imageDepth)
                .imageHeads(imageHeads)
                .textWidth(textWidth)
                .textDepth(textDepth)
                .textHeads(textHeads)
                .mlpRatio(mlpRatio)
                .embedDim(embedDim)
                .contextLength(contextLength)
                .vocabSize(vocabSize)
                .textPooling(textPooling)
                .imagePooling(imagePooling)
                .family(family)
                .mlpWidth(mlpWidth)
                .layerNormEps(layerNormEps)
                .mlpActivation(mlpActivation)
                .imageProjection(imageProjection)
                .textProjectionBias(textProjectionBias)
                .padTokenId(padTokenId)
                .moe(moe)
                .decoder(decoder);
    }

    /** Sets components one by one; {@link #build} validates them together. */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private String name;
        private int imageSize;
        private int patchSize;
        private int imageWidth;
        private int imageDepth;
        private int imageHeads;
        private int textWidth;
        private int textDepth;
        private int textHeads;
        private int mlpRatio;
        private int embedDim;
        private int contextLength;
        private int vocabSize;
        private TextPooling textPooling;
        private ImagePooling imagePooling;
        private ModelFamily family;
        private Integer mlpWidth;
        private double layerNormEps = 1e-5;
        private MlpActivation mlpActivation;
        private boolean imageProjection = true;
        private boolean textProjectionBias;
        private int padTokenId;
        private MoeConfig moe;
        private DecoderConfig decoder;

        private Builder() {}

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder imageSize(int v) {
            imageSize = v;
            return this;
        }

        public Builder patchSize(int v) {
            patchSize = v;
            return this;
        }

        public Builder imageWidth(int v) {
            imageWidth = v;
            return this;
        }

        public Builder imageDepth(int v) {
            imageDepth = v;
            return this;
        }

        public Builder imageHeads(int v) {
            imageHeads = v;
            return this;
        }

        public Builder textWidth(int v) {
            textWidth = v;
            return this;
        }

        public Builder textDepth(int v) {
            textDepth = v;
            return this;
        }

        public Builder textHeads(int v) {
            textHeads = v;
            return this;
        }

        public Builder mlpRatio(int v) {
            mlpRatio = v;
            return this;
        }

        public Builder embedDim(int v) {
            embedDim = v;
            return this;
        }

        public Builder contextLength(int v) {
            contextLength = v;
            return this;
        }

        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder textPooling(TextPooling v) {
            textPooling = v;
            return this;
        }

        public Builder imagePooling(ImagePooling v) {
            imagePooling = v;
            return this;
        }

        public Builder family(ModelFamily v) {
            family = v;
            return this;
        }

        public Builder mlpWidth(Integer v) {
            mlpWidth = v;
            return this;
        }

        public Builder layerNormEps(double v) {
            layerNormEps = v;
            return this;
        }

        public Builder mlpActivation(MlpActivation v) {
            mlpActivation = v;
            return this;
        }

        public Builder imageProjection(boolean v) {
            imageProjection = v;
            return this;
        }

        public Builder textProjectionBias(boolean v) {
            textProjectionBias = v;
            return this;
        }

        public Builder padTokenId(int v) {
            padTokenId = v;
            return this;
        }

        public Builder moe(MoeConfig v) {
            moe = v;
            return this;
        }

        public Builder decoder(DecoderConfig v) {
            decoder = v;
            return this;
        }

        public ModelConfig build() {
            return new ModelConfig(
                    name,
                    imageSize,
                    patchSize,
                    imageWidth,
                    imageDepth,
                    imageHeads,
                    textWidth,
                    textDepth,
                    textHeads,
                    mlpRatio,
                    embedDim,
                    contextLength,
                    vocabSize,
                    textPooling,
                    imagePooling,
                    family,
                    mlpWidth,
                    layerNormEps,
                    mlpActivation,
                    imageProjection,
                    textProjectionBias,
                    padTokenId,
                    moe,
                    decoder);
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
    }
}
