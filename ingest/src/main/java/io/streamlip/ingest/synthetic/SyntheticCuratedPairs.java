package io.streamlip.ingest.synthetic;

import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Pairs from {@link SyntheticPairs} as the curation job passes them on, without running it: the
 * input of a pair scorer for the benchmarks and tests that measure or check the cross-modal score.
 * Only what scoring reads is real (image, caption, language); the image hash and curation time are
 * placeholders.
 */
public final class SyntheticCuratedPairs {
    private SyntheticCuratedPairs() {}

    /** {@code count} curated pairs drawn with {@code seed}. */
    public static List<CuratedPair> generate(int count, long seed) {
        List<CuratedPair> out = new ArrayList<>(count);
        new SyntheticPairs().pairs(count, seed).forEachRemaining(raw -> out.add(of(raw)));
        return out;
    }

    /** {@code raw} as a curated pair: caption = alt text, language = the hint (or {@code und}). */
    public static CuratedPair of(RawPair raw) {
        return CuratedPair.newBuilder()
                .setPair(raw)
                .setCaption(raw.getAltText())
                .setLang(raw.getLangHint() == null ? "und" : raw.getLangHint())
                .setImageFormat("png")
                .setImageWidth(32)
                .setImageHeight(32)
                .setImageSha256("00")
                .setCuratedTime(Instant.EPOCH)
                .build();
    }
}
