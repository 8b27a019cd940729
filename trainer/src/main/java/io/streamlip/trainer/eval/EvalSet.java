package io.streamlip.trainer.eval;

import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.platform.image.Images;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.ImagePreprocessor;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An evaluation set ({@link PairsFolder} format) preprocessed for a model: every distinct image in
 * batch layout, every pair's caption tokenized and padded exactly as in training, or (CLIPPO)
 * rendered exactly as the tokenize job renders it.
 */
public final class EvalSet {
    /** Language used for pairs that name none. */
    public static final String UNKNOWN_LANGUAGE = "und";

    private final int imageSize;
    private final int contextLength;
    private final String[] imageClasses;
    private final float[] images;
    private final int[] tokenIds;
    private final float[] mask;
    private final int[] pairImage;
    private final String[] pairLang;
    private final String[] pairClass;
    private final byte[] renderedTexts;
    // The captions' tokenizer: a captioner's evaluation decodes with it.
    private final CaptionTokenizer tokenizer;

    private EvalSet(
            int imageSize,
            int contextLength,
            String[] imageClasses,
            float[] images,
            int[] tokenIds,
            float[] mask,
            int[] pairImage,
            String[] pairLang,
            String[] pairClass,
            byte[] renderedTexts,
            CaptionTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.imageSize = imageSize;
        this.contextLength = contextLength;
        this.imageClasses = imageClasses;
        this.images = images;
        this.tokenIds = tokenIds;
        this.mask = mask;
        this.pairImage = pairImage;
        this.pairLang = pairLang;
        this.pairClass = pairClass;
        this.renderedTexts = renderedTexts;
    }

    /**
     * Reads {@code folder} and preprocesses it: images with {@link ImagePreprocessor} at the
     * model's size, captions with {@code tokenizer}, truncated and padded to its context length.
     *
     * @throws IllegalArgumentException when a pair has no class or an image does not decode
     */
    public static EvalSet load(Path folder, ModelConfig model, CaptionTokenizer tokenizer) {
        return load(folder, model, tokenizer, null);
    }

    /**
     * As {@link #load(Path, ModelConfig, CaptionTokenizer)}, and with {@code rendering} (CLIPPO)
     * every caption also rendered exactly as the tokenize job renders it; {@code tokenizer} may
     * then be null (the captions are not tokenized).
     */
    public static EvalSet load(
            Path folder, ModelConfig model, CaptionTokenizer tokenizer, ClippoRendering rendering) {
        if (tokenizer == null && rendering == null) {
            throw new IllegalArgumentException(
                    "an evaluation set needs a tokenizer or a rendering");
        }
        List<PairsFolder.Entry> entries = PairsFolder.read(folder);
        ImagePreprocessor preprocessor = new ImagePreprocessor(model.imageSize());
        Map<String, Integer> imageIndex = new LinkedHashMap<>();
        List<String> imageClasses = new ArrayList<>();
        List<byte[]> rgb = new ArrayList<>();
        int pairs = entries.size();
        int context = model.contextLength();
        int[] ids = new int[pairs * context];
        float[] mask = new float[pairs * context];
        int[] pairImage = new int[pairs];
        String[] pairLang = new String[pairs];
        String[] pairClass = new String[pairs];
        int size = model.imageSize();
        byte[] rendered = rendering == null ? null : new byte[pairs * size * size];
        for (int p = 0; p < pairs; p++) {
            PairsFolder.Entry e = entries.get(p);
            if (e.classLabel() == null) {
                throw new IllegalArgumentException(
                        folder + ": pair " + (p + 1) + " (" + e.image() + ") has no class");
            }
            Integer index = imageIndex.get(e.image());
            if (index == null) {
                index = imageIndex.size();
                imageIndex.put(e.image(), index);
                imageClasses.add(e.classLabel());
                rgb.add(preprocess(preprocessor, folder.resolve(e.image())));
            }
            pairImage[p] = index;
            pairLang[p] = e.lang() == null ? UNKNOWN_LANGUAGE : e.lang();
            pairClass[p] = e.classLabel();
            if (tokenizer != null) {
                TrainingBatch.putTokens(
                        tokenizer.encode(e.text()), context, tokenizer.eosId(), ids, mask, p);
            }
            if (rendering != null) {
                System.arraycopy(
                        rendering.render(e.text(), size),
                        0,
                        rendered,
                        p * size * size,
                        size * size);
            }
        }
        float[] images = new float[rgb.size() * 3 * size * size];
        for (int i = 0; i < rgb.size(); i++) {
            TrainingBatch.putImage(rgb.get(i), size, images, i);
        }
        return new EvalSet(
                size,
                context,
                imageClasses.toArray(String[]::new),
                images,
                ids,
                mask,
                pairImage,
                pairLang,
                pairClass,
                rendered,
                tokenizer);
    }

    private static byte[] preprocess(ImagePreprocessor preprocessor, Path image) {
        try {
            return preprocessor.process(Files.readAllBytes(image));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + image, e);
        } catch (Images.UndecodableImageException e) {
            throw new IllegalArgumentException("evaluation image " + image + " does not decode", e);
        }
    }

    public int imageCount() {
        return imageClasses.length;
    }

    public int pairCount() {
        return pairImage.length;
    }

    int imageSize() {
        return imageSize;
    }

    int contextLength() {
        return contextLength;
    }

    float[] images() {
        return images;
    }

    int[] tokenIds() {
        return tokenIds;
    }

    float[] mask() {
        return mask;
    }

    String imageClass(int image) {
        return imageClasses[image];
    }

    int pairImage(int pair) {
        return pairImage[pair];
    }

    String pairLang(int pair) {
        return pairLang[pair];
    }

    String pairClass(int pair) {
        return pairClass[pair];
    }

    /** Whether the captions were rendered (CLIPPO). */
    public boolean rendered() {
        return renderedTexts != null;
    }

    /** Pair {@code pair}'s caption rendered: uint8 gray, row-major {@code H x W}. */
    public byte[] renderedText(int pair) {
        int plane = imageSize * imageSize;
        byte[] out = new byte[plane];
        System.arraycopy(renderedTexts, pair * plane, out, 0, plane);
        return out;
    }

    /** The tokenizer the captions were encoded with. */
    public CaptionTokenizer tokenizer() {
        return tokenizer;
    }
}
