package io.streamlip.trainer.model;

/**
 * Shape of a two-tower SigLIP model: a ViT image tower and a transformer text tower that both end
 * in an {@code embedDim}-wide projection. Saved in every checkpoint's {@code state.json}, so a
 * checkpoint can be rebuilt without knowing which preset made it. How the presets were chosen:
 * docs/decisions/model-presets.md.
 */
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
        ImagePooling imagePooling) {

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
    }

    /**
     * For tests: 32 px images in 8 px patches (16 patches), width 64, one block and two heads per
     * tower, 64-d embeddings, 32 tokens, mean pooling. Its speed: docs/decisions/model-presets.md.
     */
    public static ModelConfig tiny(int vocabSize) {
        return new ModelConfig(
                "tiny",
                32,
                8,
                64,
                1,
                2,
                64,
                1,
                2,
                4,
                64,
                32,
                vocabSize,
                TextPooling.MEAN,
                ImagePooling.MEAN);
    }

    /**
     * For the CPU demo: 32 px images in 8 px patches (16 patches), width 128, depth 2, 4 heads per
     * tower, 128-d embeddings, 32 tokens, mean pooling; about 0.9 M parameters. The shape that
     * learned the most per CPU-minute (docs/decisions/model-presets.md).
     */
    public static ModelConfig small(int vocabSize) {
        return new ModelConfig(
                "small",
                32,
                8,
                128,
                2,
                4,
                128,
                2,
                4,
                4,
                128,
                32,
                vocabSize,
                TextPooling.MEAN,
                ImagePooling.MEAN);
    }

    /**
     * For a GPU: SigLIP B/16 (Zhai et al. 2023 §4.2; open_clip's {@code ViT-B-16-SigLIP}): 224 px
     * images in 16 px patches, width 768, depth 12, 12 heads, MLP 3072 in both towers, MAP image
     * pooling, last-token (EOS) text pooling, 768-d embeddings, 64 tokens; about 203 M parameters
     * with a 32,000-token vocabulary (docs/decisions/model-presets.md). Too slow for a CPU.
     */
    public static ModelConfig b16(int vocabSize) {
        return new ModelConfig(
                "b16",
                224,
                16,
                768,
                12,
                12,
                768,
                12,
                12,
                4,
                768,
                64,
                vocabSize,
                TextPooling.LAST,
                ImagePooling.MAP);
    }

    /** The preset called {@code name} ({@code tiny}, {@code small}, {@code b16}). */
    public static ModelConfig preset(String name, int vocabSize) {
        return switch (name) {
            case "tiny" -> tiny(vocabSize);
            case "small" -> small(vocabSize);
            case "b16" -> b16(vocabSize);
            default ->
                    throw new IllegalArgumentException(
                            "unknown model preset '" + name + "'; known: tiny, small, b16");
        };
    }

    /** Patches per image, i.e. the image tower's sequence length. */
    public int patchCount() {
        int side = imageSize / patchSize;
        return side * side;
    }

    /** The same shape over a vocabulary of {@code size} ids (a tokenizer's {@code vocabSize}). */
    public ModelConfig withVocabSize(int size) {
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
                size,
                textPooling,
                imagePooling);
    }

    public ModelConfig withTextPooling(TextPooling pooling) {
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
                pooling,
                imagePooling);
    }

    public ModelConfig withImagePooling(ImagePooling pooling) {
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
                pooling);
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
    }
}
