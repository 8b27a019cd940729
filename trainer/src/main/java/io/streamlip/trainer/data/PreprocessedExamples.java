package io.streamlip.trainer.data;

import io.streamlip.platform.image.Images;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.ImagePreprocessor;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Training examples straight from raw pairs, preprocessed as the tokenize stage would (image
 * resized by {@link ImagePreprocessor}, caption encoded by the tokenizer), for tests and benchmarks
 * that need no Kafka. The caller brings the pairs (e.g. the synthetic source's).
 */
public final class PreprocessedExamples {
    private PreprocessedExamples() {}

    /**
     * Every pair of {@code pairs} as an example of {@code imageSize} px.
     *
     * @throws IllegalArgumentException when an image does not decode
     */
    public static List<DecodedExample> of(
            Iterator<RawPair> pairs, int imageSize, CaptionTokenizer tokenizer) {
        return of(pairs, imageSize, tokenizer, null);
    }

    /**
     * Every pair of {@code pairs} as an example of {@code imageSize} px, with its caption rendered
     * by {@code rendering} as the tokenize job renders it (CLIPPO); none when it is null.
     *
     * @throws IllegalArgumentException when an image does not decode
     */
    public static List<DecodedExample> of(
            Iterator<RawPair> pairs,
            int imageSize,
            CaptionTokenizer tokenizer,
            ClippoRendering rendering) {
        ImagePreprocessor preprocessor = new ImagePreprocessor(imageSize);
        List<DecodedExample> out = new ArrayList<>();
        while (pairs.hasNext()) {
            RawPair pair = pairs.next();
            ByteBuffer image = pair.getImage().duplicate();
            byte[] png = new byte[image.remaining()];
            image.get(png);
            byte[] rgb;
            try {
                rgb = preprocessor.process(png);
            } catch (Images.UndecodableImageException e) {
                throw new IllegalArgumentException(
                        "image of pair " + pair.getId() + " does not decode", e);
            }
            out.add(
                    new DecodedExample(
                            pair.getId(),
                            pair.getLangHint(),
                            rgb,
                            tokenizer.encode(pair.getAltText()),
                            rendering == null
                                    ? null
                                    : rendering.render(pair.getAltText(), imageSize)));
        }
        return out;
    }

    /** Consecutive full batches of {@code examples} (a remainder is dropped). */
    public static List<TrainingBatch> batches(
            List<DecodedExample> examples, int batchSize, ModelConfig model, int eosId) {
        List<TrainingBatch> out = new ArrayList<>();
        for (int i = 0; i + batchSize <= examples.size(); i += batchSize) {
            out.add(TrainingBatch.of(examples.subList(i, i + batchSize), model, eosId, Map.of()));
        }
        return out;
    }
}
