package io.streamlip.trainer.model;

/**
 * Shape of a two-tower SigLIP model: a ViT image tower and a transformer text tower that both end
 * in an {@code embedDim}-wide projection. Saved in every checkpoint's {@code state.json}, so a
 * checkpoint can be rebuilt without knowing which preset made it.
 *
 * @param name preset name ({@code tiny}, {@code small}) or {@code custom}
 * @param imageSize height and width of the (square) input images, in pixels
 * @param patchSize side of the square patches; must divide {@code imageSize}
 * @param imageWidth width of the image transformer
 * @param imageDepth number of image transformer blocks
 * @param imageHeads attention heads of the image tower; must divide {@code imageWidth}
 * @param textWidth width of the text transformer
 * @param textDepth number of text transformer blocks
 * @param textHeads attention heads of the text tower; must divide {@code textWidth}
 * @param mlpRatio hidden width of every MLP as a multiple of its block's width
 * @param embedDim width of the shared embedding space both towers project into
 * @param contextLength tokens per caption the text tower sees (padded or truncated to it)
 * @param vocabSize size of the tokenizer's id space
 * @param textPooling how the text tower pools its token states
 * @param imagePooling how the image tower pools its patch states (null reads as {@link
 *     ImagePooling#MEAN}, what checkpoints written before the option held)
 */
public record ModelConfig(
        String name,
        int imageSize,
        int patchSize,
        int imageWidth,
        int imageDepth,
        int imageHeads,
        int textWidth,
        int textDepth,
        int textHeads,
        int mlpRatio,
        int embedDim,
        int contextLength,
        int vocabSize,
        TextPooling textPooling,
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
     * tower, 64-d embeddings, 32 tokens, mean pooling. About 25-40 ms a step at batch 64 on one
     * core of a quiet 2-core machine, measured with {@code TrainerBenchmark.measure}
     * (trainer/README.md; {@code streamlip bench trainer} times it in its "tests (tiny)" row).
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
     * tower, 128-d embeddings, 32 tokens, mean pooling; about 0.9 M parameters. Chosen by
     * measurement on the synthetic shapes (2 threads, batch 32, lr 2e-3): it learned the most per
     * CPU-minute among patch 4/8, width 128/192 and depth 2/3 (zero-shot 0.39 after 3 minutes where
     * patch 4 reached 0.35 after 4); patch 4 learns more per step but runs at half the speed. On
     * the demo's emoji stream (bench/results/emoji-learning-2026-11-27.md) patch 8 and patch 4
     * reached the same held-out recall from the same examples, patch 8 at twice the speed, so the
     * demo's single pass over its 88,500 examples takes about 3 CPU-minutes instead of 6.
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
     * For a GPU: SigLIP B/16 (Zhai et al. 2023 §4.2; big_vision {@code ViT-B/16} and open_clip's
     * {@code ViT-B-16-SigLIP}): 224 px images in 16 px patches (196), width 768, depth 12, 12
     * heads, MLP 3072 in both towers, MAP image pooling, last-token (EOS) text pooling, 768-d
     * embeddings, 64 tokens. The image encoder (patch embedding, positions, blocks, final norm) has
     * 85.8 M parameters, ViT-B/16's "86 M"; with a 32,000-token vocabulary the whole model has
     * about 203 M, as the released {@code siglip-base-patch16-224}. Too slow to train on a CPU.
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
