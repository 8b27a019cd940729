package io.streamlip.filter.curate;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.platform.bounds.RecordSize;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;

/**
 * The curation of one pair, without Flink: the fields' bounds ({@link RecordBounds#bound}), then
 * the caption (cheap: encoding, {@link CaptionCheck}, {@link TextQuality}), then the image ({@link
 * ImageValidity} from the header, the perceptual hash, {@link EvalSetIndex}), then the language
 * ({@link LanguageCheck}); a pair that passes becomes a {@link CuratedPair} carrying what the job's
 * stateful stages key on ({@link DuplicateKey}, hash, thumbnail, language). One that would not fit
 * the curated topic with {@link #LATER_STAGES_RESERVE} bytes to spare is refused as {@code
 * record_too_large}. The Flink job's curator is built {@link #withoutEvalSets} (it decontaminates
 * in a stage of its own). In detail: docs/decisions/curation-thresholds.md.
 */
public final class PairCurator implements Serializable {
    private static final long serialVersionUID = 1L;

    /** BCP 47 for "undetermined", used when a pair has no language hint. */
    public static final String UNDETERMINED = RecordBounds.UNDETERMINED;

    /**
     * Room left in the curated record for what stages after curation add (the cross-modal score and
     * the model version's name); the job's last check before the sink covers the rest.
     */
    public static final int LATER_STAGES_RESERVE = 4096;

    // How much of an oversized value a refusal's detail quotes.
    private static final int QUOTED_CHARS = 120;

    private final FilterConfig config;
    private final CaptionCheck captions;
    private final TextQuality text;
    private final ImageValidity images;
    private final LanguageCheck language;
    private final boolean checkEvalSets;
    private final AltTextBytes altTextBytes = new AltTextBytes();
    private final RecordSize<CuratedPair> curatedSize = RecordSize.of(CuratedPair.class);
    private transient EvalSetIndex evalSets;

    /**
     * The decoder's and the fingerprint's working memory, one set per thread: a Flink operator
     * instance curates on one thread, tests and benchmarks may share a curator between threads.
     * Fresh buffers per image were most of what curating a small image allocated.
     */
    private transient volatile ThreadLocal<Buffers> buffers;

    /** What one thread reuses from image to image. */
    private static final class Buffers {
        // The decoded image is fingerprinted and dropped within one call: reusable.
        final Images.DecodeBuffers decode = Images.DecodeBuffers.reusingImages();
        final PerceptualHash.Scratch fingerprint = new PerceptualHash.Scratch();
    }

    /**
     * A pair curated, with the {@link PerceptualHash#thumbnail} of its image, which the
     * near-duplicate stages confirm hash matches with.
     */
    public record Curated(CuratedPair pair, byte[] thumbnail) {}

    /**
     * Checks the evaluation sets of {@code config} too (loaded from their folders on first use).
     */
    public PairCurator(FilterConfig config) {
        this(config, true, PerceptualHash.MIN_DECODED_SIDE);
    }

    /**
     * As {@link #PairCurator(FilterConfig)}, decoding images with sides of at least {@code
     * minDecodedSide} ({@link ImageValidity#ImageValidity(FilterConfig, int)}; {@link
     * Integer#MAX_VALUE}: at full size, the reference the benchmarks compare with).
     */
    public PairCurator(FilterConfig config, int minDecodedSide) {
        this(config, true, minDecodedSide);
    }

    private PairCurator(FilterConfig config, boolean checkEvalSets, int minDecodedSide) {
        this.config = config;
        this.captions = new CaptionCheck(config);
        this.text = new TextQuality(config.text());
        this.images = new ImageValidity(config, minDecodedSide);
        this.language = new LanguageCheck(config.language());
        this.checkEvalSets = checkEvalSets;
    }

    /** A curator that leaves the evaluation sets to another stage (the job's broadcast one). */
    public static PairCurator withoutEvalSets(FilterConfig config) {
        return new PairCurator(config, false, PerceptualHash.MIN_DECODED_SIDE);
    }

    /** The evaluation sets' hashes and thumbnails, loaded from their folders on first use. */
    EvalSetIndex evalSets() {
        if (evalSets == null) {
            evalSets = EvalSetIndex.load(config.nearDuplicates());
        }
        return evalSets;
    }

    /**
     * Curates {@code raw}.
     *
     * @param now the curation time written into the result
     */
    public Verdict<CuratedPair> curate(RawPair raw, Instant now) {
        Verdict<Curated> verdict = curateWithThumbnail(raw, now);
        if (verdict instanceof Verdict.Refused<Curated> refused) {
            return refused.cast();
        }
        return Verdict.accept(verdict.value().pair());
    }

    /**
     * Curates {@code raw}, keeping the thumbnail of its image for the near-duplicate check.
     *
     * @param now the curation time written into the result
     */
    public Verdict<Curated> curateWithThumbnail(RawPair raw, Instant now) {
        return curateWithThumbnail(raw, null, now);
    }

    /**
     * Curates {@code input}, decoded from {@code encoded}, keeping the thumbnail of its image for
     * the near-duplicate check.
     *
     * @param encoded the single-object encoding {@code input} was decoded from (its caption's bytes
     *     are checked for invalid UTF-8), or null for a pair built in memory
     * @param now the curation time written into the result
     */
    public Verdict<Curated> curateWithThumbnail(RawPair input, byte[] encoded, Instant now) {
        Verdict<Text> checked = checkText(input, encoded);
        if (checked instanceof Verdict.Refused<Text> refused) {
            return refused.cast();
        }
        RawPair raw = checked.value().raw();
        Verdict<String> caption = Verdict.accept(checked.value().caption());
        Verdict<Float> quality = Verdict.accept(checked.value().quality());
        byte[] bytes = bytes(raw.getImage());
        if (bytes == null && raw.getImageUrl() != null) {
            return Verdict.refuse(
                    RejectReason.IMAGE_MISSING,
                    "only an image_url ("
                            + BoundedText.truncate(raw.getImageUrl(), QUOTED_CHARS)
                            + (config.fetch().enabled()
                                    ? "), not fetched"
                                    : "); fetching is off (--fetch false)"));
        }
        Buffers reused = buffers().get();
        Verdict<ImageValidity.ValidImage> image = images.decode(bytes, reused.decode);
        if (image instanceof Verdict.Refused<ImageValidity.ValidImage> refused) {
            return refused.cast();
        }
        Images.Header header = image.value().header();
        PerceptualHash.Fingerprint fingerprint =
                PerceptualHash.fingerprint(image.value().image(), reused.fingerprint);
        long phash = fingerprint.phash();
        byte[] thumbnail = fingerprint.thumbnail();
        if (checkEvalSets) {
            Verdict<Long> clean = evalSets().check(phash, thumbnail);
            if (clean instanceof Verdict.Refused<Long> refused) {
                return refused.cast();
            }
        }
        Verdict<LanguageCheck.Decision> lang = language.check(caption.value(), raw.getLangHint());
        if (lang instanceof Verdict.Refused<LanguageCheck.Decision> refused) {
            return refused.cast();
        }
        CuratedPair curated =
                CuratedPair.newBuilder()
                        .setPair(raw)
                        .setCaption(caption.value())
                        .setLang(lang.value().lang())
                        .setLangConfidence(lang.value().confidence())
                        .setPhash(phash)
                        .setTextQuality(quality.value())
                        .setImageFormat(header.format())
                        .setImageWidth(header.width())
                        .setImageHeight(header.height())
                        .setImageSha256(DuplicateKey.sha256Hex(bytes))
                        .setCuratedTime(now)
                        .build();
        long size = curatedSize.encodedSize(curated);
        if (!RecordSize.fits(
                BoundedText.utf8Length(raw.getId()),
                size + LATER_STAGES_RESERVE,
                config.bounds().maxRecordBytes())) {
            return Verdict.refuse(
                    RejectReason.RECORD_TOO_LARGE,
                    "curated record of "
                            + size
                            + " bytes (with "
                            + LATER_STAGES_RESERVE
                            + " for later stages) does not fit the topic limit of "
                            + config.bounds().maxRecordBytes());
        }
        return Verdict.accept(new Curated(curated, thumbnail));
    }

    private ThreadLocal<Buffers> buffers() {
        ThreadLocal<Buffers> local = buffers;
        if (local == null) {
            local = ThreadLocal.withInitial(Buffers::new);
            buffers = local; // a race only builds a second one
        }
        return local;
    }

    /** A pair within its bounds with its normalised caption and the caption's quality. */
    private record Text(RawPair raw, String caption, float quality) {}

    /**
     * The refusal curation gives {@code input} on its fields and caption alone (bounds, encoding,
     * length, boilerplate, quality), before looking at any image; empty when those pass. The fetch
     * stage asks first, so no image is downloaded for a pair its caption already dooms.
     *
     * @param encoded as for {@link #curateWithThumbnail(RawPair, byte[], Instant)}
     */
    public Optional<Verdict.Refused<RawPair>> refusalBeforeImage(RawPair input, byte[] encoded) {
        Verdict<Text> checked = checkText(input, encoded);
        return checked instanceof Verdict.Refused<Text> refused
                ? Optional.of(refused.cast())
                : Optional.empty();
    }

    private Verdict<Text> checkText(RawPair input, byte[] encoded) {
        Verdict<RawPair> bounded = config.bounds().bound(input);
        if (bounded instanceof Verdict.Refused<RawPair> refused) {
            return refused.cast();
        }
        RawPair raw = bounded.value();
        Verdict<String> encoding = text.checkEncoding(raw.getAltText(), captionBytes(raw, encoded));
        if (encoding instanceof Verdict.Refused<String> refused) {
            return refused.cast();
        }
        Verdict<String> caption = captions.check(raw.getAltText());
        if (caption instanceof Verdict.Refused<String> refused) {
            return refused.cast();
        }
        Verdict<Float> quality = text.check(caption.value());
        if (quality instanceof Verdict.Refused<Float> refused) {
            return refused.cast();
        }
        return Verdict.accept(new Text(raw, caption.value(), quality.value()));
    }

    /**
     * The caption's bytes in {@code encoded}, read only when the decoded caption holds U+FFFD (else
     * its bytes were valid UTF-8); null without an encoding.
     */
    private ByteBuffer captionBytes(RawPair raw, byte[] encoded) {
        if (encoded == null
                || raw.getAltText() == null
                || raw.getAltText().indexOf(TextQuality.REPLACEMENT) < 0) {
            return null;
        }
        try {
            return altTextBytes.read(encoded);
        } catch (IOException e) {
            // It decoded as a RawPair a moment ago: the envelope stage reports this as an error.
            throw new UncheckedIOException("cannot re-read the caption's bytes", e);
        }
    }

    /** The key the job deduplicates a curated pair on. */
    public static String duplicateKey(CuratedPair pair) {
        return DuplicateKey.of(pair.getImageSha256(), pair.getCaption());
    }

    /** The buffer's remaining bytes, without moving its position; null for no buffer. */
    public static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
