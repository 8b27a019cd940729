package io.streamlip.sinks.webdataset;

import io.streamlip.schemas.Verdict;
import io.streamlip.sinks.shards.RecordCheck;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Turns a record into the {@link WebDatasetSample} a shard takes, or refuses it as {@code
 * sink_unwritable}: when the sample cannot be made (no image bytes, an image that does not decode
 * for re-encoding, pixels that do not match the stated size, a bad extension) or its members
 * together exceed the shard's record bound.
 *
 * @param <T> the records checked
 */
public final class WebDatasetCheck<T> implements RecordCheck<T, WebDatasetSample> {
    private static final long serialVersionUID = 1L;

    private final SerializableFunction<T, WebDatasetSample> toSample;
    private final int maxSampleBytes;

    /**
     * @param toSample the record's sample, e.g. {@link WebDatasetSamples#of(
     *     io.streamlip.schemas.CuratedPair)}; may throw for a record it cannot convert
     * @param maxSampleBytes the most bytes a sample's members may hold together
     */
    public WebDatasetCheck(SerializableFunction<T, WebDatasetSample> toSample, int maxSampleBytes) {
        this.toSample = Objects.requireNonNull(toSample, "toSample");
        if (maxSampleBytes < 1) {
            throw new IllegalArgumentException(
                    "maxSampleBytes must be positive: " + maxSampleBytes);
        }
        this.maxSampleBytes = maxSampleBytes;
    }

    @Override
    public Verdict<WebDatasetSample> check(T record) {
        WebDatasetSample sample;
        try {
            sample = toSample.apply(record);
        } catch (RuntimeException e) {
            return RecordCheck.unwritable("no WebDataset sample: " + message(e));
        }
        long bytes = size(sample);
        if (bytes > maxSampleBytes) {
            return RecordCheck.unwritable(
                    "sample of "
                            + bytes
                            + " bytes exceeds the shard's record bound of "
                            + maxSampleBytes
                            + " bytes");
        }
        return Verdict.accept(sample);
    }

    /** The bytes of a sample's member contents (image, caption, JSON). */
    static long size(WebDatasetSample sample) {
        long n = sample.image().length;
        n += sample.text().getBytes(StandardCharsets.UTF_8).length;
        if (sample.json() != null) {
            n += sample.json().getBytes(StandardCharsets.UTF_8).length;
        }
        return n;
    }

    private static String message(RuntimeException e) {
        StringBuilder m = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && m.length() < 500; c = c.getCause()) {
            m.append(" (").append(c.getMessage()).append(')');
        }
        return m.toString();
    }
}
