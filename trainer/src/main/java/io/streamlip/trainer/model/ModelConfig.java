package io.streamlip.trainer.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        // hidden width of every MLP as a multiple of its block's width
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
        // the captioner's text decoder: set exactly when family is CAPTIONER, null otherwise
        DecoderConfig decoder) {

    private static final String PRESETS = "presets/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the text tower turns token states into one vector. */
    public enum TextPooling {
        /** Mean over the non-padding tokens. */
        MEAN,
        /** The state of the last non-padding token (the end-of-sequence token). */
        LAST
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
        positive("imageSize", imageSize);
        positive("patchSize", patchSize);
        positive("imageWidth", imageWidth);
        positive("imageDepth", imageDepth);
        positive("imageHeads", imageHeads);
        positive("textWidth", textWidth);
        positive("textDepth", textDepth);
        positive("textHeads", textHeads);
        positive("mlpRatio", mlpRatio);
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
    }

    /** The {@code tiny} preset over {@code vocabSize} ids: for tests. */
    public static ModelConfig tiny(int vocabSize) {
        return preset("tiny", vocabSize);
    }

    /** The {@code small} preset over {@code vocabSize} ids: the CPU demo's, the default. */
    public static ModelConfig small(int vocabSize) {
        return preset("small", vocabSize);
    }

    /** The {@code b16} preset over {@code vocabSize} ids: SigLIP B/16, for a GPU. */
    public static ModelConfig b16(int vocabSize) {
        return preset("b16", vocabSize);
    }

    /**
     * The preset called {@code name} over {@code vocabSize} ids: the resource {@code
     * presets/<name>.json} beside this class, which names every component but {@code name} and
     * {@code vocabSize}.
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

    /** Patches per image, i.e. the image tower's sequence length. */
    public int patchCount() {
        int side = imageSize / patchSize;
        return side * side;
    }

    /** A builder with nothing set: every size must be given ({@link #toBuilder} of a preset). */
    public static Builder builder() {
        return new Builder();
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
                    decoder);
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
    }
}
