package io.streamlip.trainer.data;

import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One batch on the host, ready to become NDArrays: images as float32 (B, 3, H, W) in [-1, 1], token
 * ids (B, S) padded to the context length, and their mask (1 real, 0 padding).
 *
 * @param size B
 * @param imageSize H = W
 * @param contextLength S
 * @param images {@code B*3*H*W} floats, channel-major per image
 * @param tokenIds {@code B*S} ids
 * @param mask {@code B*S} ones and zeros
 * @param langs language of each example (for per-language statistics), may hold nulls
 * @param nextOffsets for each Kafka partition the source reads, the offset before which everything
 *     has been trained once this batch is (empty when the batch does not come from Kafka)
 * @param produceTimes per example, when it was produced (the Kafka record's timestamp, epoch ms),
 *     or -1 when unknown or not to be counted for freshness; empty when the source knows none
 * @param renderedTexts the captions rendered as images, laid out as {@code images} (CLIPPO reads
 *     them, {@link ClippoRendering#putRendered}); empty when the model reads tokens
 */
public record TrainingBatch(
        int size,
        int imageSize,
        int contextLength,
        float[] images,
        int[] tokenIds,
        float[] mask,
        List<String> langs,
        Map<TopicPartition, Long> nextOffsets,
        long[] produceTimes,
        float[] renderedTexts) {

    /** A batch without rendered captions. */
    public TrainingBatch(
            int size,
            int imageSize,
            int contextLength,
            float[] images,
            int[] tokenIds,
            float[] mask,
            List<String> langs,
            Map<TopicPartition, Long> nextOffsets,
            long[] produceTimes) {
        this(
                size,
                imageSize,
                contextLength,
                images,
                tokenIds,
                mask,
                langs,
                nextOffsets,
                produceTimes,
                new float[0]);
    }

    /** A batch without produce times. */
    public TrainingBatch(
            int size,
            int imageSize,
            int contextLength,
            float[] images,
            int[] tokenIds,
            float[] mask,
            List<String> langs,
            Map<TopicPartition, Long> nextOffsets) {
        this(
                size,
                imageSize,
                contextLength,
                images,
                tokenIds,
                mask,
                langs,
                nextOffsets,
                new long[0]);
    }

    public TrainingBatch {
        if (produceTimes.length != 0 && produceTimes.length != size) {
            throw new IllegalArgumentException(
                    produceTimes.length + " produce times for a batch of " + size);
        }
        if (images.length != (long) size * 3 * imageSize * imageSize
                || tokenIds.length != size * contextLength
                || mask.length != size * contextLength
                || langs.size() != size) {
            throw new IllegalArgumentException("array lengths do not match batch size " + size);
        }
        if (renderedTexts.length != 0 && renderedTexts.length != images.length) {
            throw new IllegalArgumentException(
                    renderedTexts.length + " rendered-caption floats for " + images.length);
        }
        nextOffsets = Map.copyOf(nextOffsets);
    }

    /** Assembles a batch from examples already in training layout. */
    public static TrainingBatch of(
            List<DecodedExample> examples,
            ModelConfig config,
            int eosId,
            Map<TopicPartition, Long> nextOffsets) {
        return of(examples, config, eosId, nextOffsets, new long[0]);
    }

    /**
     * Assembles a batch from examples already in training layout, with their produce times; for a
     * CLIPPO model with their rendered captions too.
     *
     * @throws IllegalArgumentException when the model is CLIPPO and an example has no rendering
     */
    public static TrainingBatch of(
            List<DecodedExample> examples,
            ModelConfig config,
            int eosId,
            Map<TopicPartition, Long> nextOffsets,
            long[] produceTimes) {
        int b = examples.size();
        int size = config.imageSize();
        int context = config.contextLength();
        float[] images = new float[b * 3 * size * size];
        int[] ids = new int[b * context];
        float[] mask = new float[b * context];
        String[] langs = new String[b];
        boolean rendered = config.family() == ModelFamily.CLIPPO;
        float[] renderedTexts = new float[rendered ? images.length : 0];
        for (int i = 0; i < b; i++) {
            DecodedExample e = examples.get(i);
            putImage(e.rgb(), size, images, i);
            if (rendered) {
                if (e.renderedText() == null) {
                    throw new IllegalArgumentException(
                            "example "
                                    + e.id()
                                    + " has no rendered caption, which a CLIPPO model reads");
                }
                ClippoRendering.putRendered(e.renderedText(), size, renderedTexts, i);
            }
            putTokens(e.tokenIds(), context, eosId, ids, mask, i);
            langs[i] = e.lang();
        }
        return new TrainingBatch(
                b,
                size,
                context,
                images,
                ids,
                mask,
                java.util.Arrays.asList(langs),
                nextOffsets,
                produceTimes,
                renderedTexts);
    }

    /**
     * Writes image {@code index} of a batch: uint8 RGB {@code H x W x 3} (row-major) becomes
     * channel-major floats {@code v / 127.5 - 1}.
     */
    public static void putImage(byte[] rgbHwc, int size, float[] dst, int index) {
        int plane = size * size;
        if (rgbHwc.length != plane * 3) {
            throw new IllegalArgumentException(
                    "expected " + plane * 3 + " RGB bytes, got " + rgbHwc.length);
        }
        int base = index * 3 * plane;
        // A table instead of a division per value, one channel plane at a time (the prefetch
        // thread's largest cost; it shares the cores with the step): the same float values.
        for (int c = 0; c < 3; c++) {
            int out = base + c * plane;
            for (int p = 0, in = c; p < plane; p++, in += 3) {
                dst[out + p] = PIXEL_VALUES[rgbHwc[in] & 0xff];
            }
        }
    }

    /** {@code v / 127.5 - 1} for every byte value {@code v}, as {@link #putImage} writes it. */
    private static final float[] PIXEL_VALUES = pixelValues();

    private static float[] pixelValues() {
        float[] values = new float[256];
        for (int v = 0; v < values.length; v++) {
            values[v] = v / 127.5f - 1f;
        }
        return values;
    }

    /**
     * Writes caption {@code index} of a batch padded (id 0, mask 0) to {@code context} tokens. A
     * longer one keeps its first {@code context - 1} tokens and ends with {@code eosId}, so the
     * last real token is always the end-of-sequence token.
     */
    public static void putTokens(
            int[] tokens, int context, int eosId, int[] ids, float[] mask, int index) {
        int base = index * context;
        int n = Math.min(tokens.length, context);
        System.arraycopy(tokens, 0, ids, base, n);
        if (tokens.length > context) {
            ids[base + context - 1] = eosId;
        }
        for (int i = 0; i < context; i++) {
            mask[base + i] = i < n ? 1f : 0f;
            if (i >= n) {
                ids[base + i] = 0;
            }
        }
    }
}
