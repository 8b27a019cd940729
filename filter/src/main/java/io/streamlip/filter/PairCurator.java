package io.streamlip.filter;

import io.streamlip.ingest.image.Images;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * The curation of one pair, without Flink: caption first (cheap), then the image (a decode), and
 * for a pair that passes both, a {@link CuratedPair} with what was learned.
 *
 * <p>Language identification comes later: {@code lang} is the source's hint ({@code und} when there
 * is none) with confidence 0. Deduplication needs state across pairs, so it is the job's business;
 * this class computes what it keys on ({@link DuplicateKey}).
 */
public final class PairCurator implements Serializable {
    private static final long serialVersionUID = 1L;

    /** BCP 47 for "undetermined", used when a pair has no language hint. */
    public static final String UNDETERMINED = "und";

    private final CaptionCheck captions;
    private final ImageValidity images;

    public PairCurator(FilterConfig config) {
        this.captions = new CaptionCheck(config);
        this.images = new ImageValidity(config);
    }

    /**
     * Curates {@code raw}.
     *
     * @param now the curation time written into the result
     */
    public Verdict<CuratedPair> curate(RawPair raw, Instant now) {
        Verdict<String> caption = captions.check(raw.getAltText());
        if (caption instanceof Verdict.Refused<String> refused) {
            return refused.cast();
        }
        byte[] bytes = bytes(raw.getImage());
        if (bytes == null && raw.getImageUrl() != null) {
            return Verdict.refuse(
                    RejectReason.IMAGE_MISSING,
                    "only an image_url (" + raw.getImageUrl() + "); fetching is not supported");
        }
        Verdict<Images.Header> image = images.check(bytes);
        if (image instanceof Verdict.Refused<Images.Header> refused) {
            return refused.cast();
        }
        Images.Header header = image.value();
        String lang = raw.getLangHint();
        CuratedPair curated =
                CuratedPair.newBuilder()
                        .setPair(raw)
                        .setCaption(caption.value())
                        .setLang(lang == null || lang.isBlank() ? UNDETERMINED : lang)
                        .setLangConfidence(0f)
                        .setImageFormat(header.format())
                        .setImageWidth(header.width())
                        .setImageHeight(header.height())
                        .setImageSha256(DuplicateKey.sha256Hex(bytes))
                        .setCuratedTime(now)
                        .build();
        return Verdict.accept(curated);
    }

    /** The key the job deduplicates a curated pair on. */
    public static String duplicateKey(CuratedPair pair) {
        return DuplicateKey.of(pair.getImageSha256(), pair.getCaption());
    }

    /** The buffer's remaining bytes, without moving its position; null for no buffer. */
    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
