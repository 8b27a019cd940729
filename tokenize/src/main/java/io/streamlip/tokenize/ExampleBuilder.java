package io.streamlip.tokenize;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.platform.bounds.RecordSize;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import io.streamlip.tokenize.render.TextRenderer;
import io.streamlip.tokenize.sentencepiece.SentencePieceTokenizer;
import io.streamlip.tokenize.subword.SubwordTokenizer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a curated pair into a training {@link Example}, without Flink: the image decoded,
 * composited onto white, resized ({@link ImagePreprocessor}) and laid out as the configured {@link
 * PixelFormat}; the caption encoded by the tokenizer, and with {@link TokenizeConfig#render()}
 * rendered for CLIPPO. {@link #open()} loads the tokenizer and renderer (else the first record
 * does). The example carries the pair's id, source and scoring model version (provenance).
 *
 * <p>Records that reached the curated topic some other way are checked again against {@link
 * RecordBounds}: an undecodable or oversized image, an id, source or model version too long ({@code
 * field_too_large}), a caption too long ({@code caption_too_long}) and an example that would not
 * fit the examples topic ({@code record_too_large}) are refused; a language that is not a tag
 * becomes {@code und}.
 */
public final class ExampleBuilder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final TokenizeConfig config;
    private final CaptionTokenizer tokenizer;
    private final ImagePreprocessor preprocessor;
    // The render font file's bytes, read where the builder is made, so that they travel inside
    // the operator and no TaskManager needs the file.
    private final byte[] font;
    private final RecordSize<Example> exampleSize = RecordSize.of(Example.class);
    private transient volatile TextRenderer renderer;

    public ExampleBuilder(TokenizeConfig config) {
        this(config, config.tokenizer());
    }

    /** With a tokenizer already built from {@code config} (shared, e.g. by a benchmark). */
    public ExampleBuilder(TokenizeConfig config, CaptionTokenizer tokenizer) {
        this(config, tokenizer, new ImagePreprocessor(config.imageSize()));
    }

    /**
     * With the preprocessor that decodes and resizes images (its size must be the config's), e.g.
     * {@link ImagePreprocessor#withFullDecode()} for a benchmark's reference.
     */
    public ExampleBuilder(
            TokenizeConfig config, CaptionTokenizer tokenizer, ImagePreprocessor preprocessor) {
        if (preprocessor.size() != config.imageSize()) {
            throw new IllegalArgumentException(
                    "preprocessor size "
                            + preprocessor.size()
                            + " is not the config's image size "
                            + config.imageSize());
        }
        this.config = config;
        this.tokenizer = tokenizer;
        this.preprocessor = preprocessor;
        this.font = config.render() == null ? null : readFont(config.render().fontFile());
    }

    private static byte[] readFont(String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the render font " + file, e);
        }
    }

    /** Loads the tokenizer's encoder and the renderer's font now rather than per first record. */
    public void open() {
        if (tokenizer instanceof SubwordTokenizer subword) {
            subword.open();
        } else if (tokenizer instanceof SentencePieceTokenizer sentencePiece) {
            sentencePiece.open();
        }
        renderer();
    }

    /** Frees the tokenizer's native resources, if any. */
    public void close() {
        if (tokenizer instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the tokenizer", e);
            }
        }
    }

    /** The topics' record limit, which examples (and this stage's rejects) must fit. */
    public int maxRecordBytes() {
        return config.bounds().maxRecordBytes();
    }

    public CaptionTokenizer tokenizer() {
        return tokenizer;
    }

    private TextRenderer renderer() {
        if (config.render() == null) {
            return null;
        }
        TextRenderer r = renderer;
        if (r == null) {
            synchronized (this) {
                r = renderer;
                if (r == null) {
                    r = TextRenderer.open(config.render(), font);
                    renderer = r;
                }
            }
        }
        return r;
    }

    public Verdict<Example> build(CuratedPair curated) {
        RecordBounds bounds = config.bounds();
        String id = curated.getPair().getId();
        if (id.length() > bounds.maxIdChars()) {
            return Verdict.refuse(
                    RejectReason.FIELD_TOO_LARGE,
                    "id has " + id.length() + " chars, more than " + bounds.maxIdChars());
        }
        String source = curated.getPair().getSource();
        if (source != null && source.length() > bounds.maxSourceChars()) {
            return Verdict.refuse(
                    RejectReason.FIELD_TOO_LARGE,
                    "source has "
                            + source.length()
                            + " chars, more than "
                            + bounds.maxSourceChars());
        }
        String modelVersion = curated.getModelVersion();
        if (modelVersion != null && modelVersion.length() > RecordBounds.MAX_MODEL_VERSION_CHARS) {
            return Verdict.refuse(
                    RejectReason.FIELD_TOO_LARGE,
                    "model_version has "
                            + modelVersion.length()
                            + " chars, more than "
                            + RecordBounds.MAX_MODEL_VERSION_CHARS);
        }
        String caption = curated.getCaption();
        if (caption == null || caption.isBlank()) {
            return Verdict.refuse(RejectReason.CAPTION_EMPTY, "curated pair without a caption");
        }
        if (caption.length() > bounds.maxAltTextChars()) {
            return Verdict.refuse(
                    RejectReason.CAPTION_TOO_LONG,
                    "caption has "
                            + caption.length()
                            + " chars, more than "
                            + bounds.maxAltTextChars());
        }
        String lang = RecordBounds.languageTag(curated.getLang());
        ByteBuffer buffer = curated.getPair().getImage();
        if (buffer == null || !buffer.hasRemaining()) {
            return Verdict.refuse(RejectReason.IMAGE_MISSING, "curated pair without image bytes");
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        Optional<Images.Header> header = Images.probe(bytes);
        if (header.isEmpty()) {
            return Verdict.refuse(RejectReason.IMAGE_UNDECODABLE, "unreadable image header");
        }
        if (header.get().pixels() > config.maxImagePixels()) {
            return Verdict.refuse(
                    RejectReason.IMAGE_TOO_LARGE,
                    header.get() + " exceeds " + config.maxImagePixels() + " pixels");
        }
        byte[] rgb;
        try {
            // Decoded once, no larger than the example needs (a JPEG at a reduced DCT scale).
            rgb = preprocessor.process(bytes);
        } catch (Images.UndecodableImageException e) {
            return Verdict.refuse(RejectReason.IMAGE_UNDECODABLE, e.getMessage());
        }
        byte[] pixels =
                config.pixelFormat() == PixelFormat.PNG
                        ? Images.png(fromRgb(rgb, config.imageSize()))
                        : rgb;
        Example example =
                Example.newBuilder()
                        .setId(id)
                        .setLang(lang == null ? RecordBounds.UNDETERMINED : lang)
                        .setCaption(caption)
                        .setTokenIds(boxed(tokenizer.encode(caption)))
                        .setTokenizerVersion(tokenizer.version())
                        .setImage(ByteBuffer.wrap(pixels))
                        .setImageFormat(config.pixelFormat())
                        .setImageSize(config.imageSize())
                        .setSourceTime(curated.getPair().getCrawlTime())
                        .setRenderedText(rendered(caption))
                        .setSource(source)
                        .setModelVersion(modelVersion)
                        .build();
        long size = exampleSize.encodedSize(example);
        if (!RecordSize.fits(BoundedText.utf8Length(id), size, bounds.maxRecordBytes())) {
            return Verdict.refuse(
                    RejectReason.RECORD_TOO_LARGE,
                    "example of "
                            + size
                            + " bytes does not fit the topic limit of "
                            + bounds.maxRecordBytes());
        }
        return Verdict.accept(example);
    }

    private ByteBuffer rendered(String caption) {
        TextRenderer r = renderer();
        return r == null ? null : ByteBuffer.wrap(r.render(caption, config.imageSize()).pixels());
    }

    /**
     * An RGB image from row-major HWC bytes, in one bulk copy: a {@code TYPE_3BYTE_BGR} raster's
     * data elements are the bands in R, G, B order, exactly the HWC layout.
     */
    static BufferedImage fromRgb(byte[] rgb, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        image.getRaster().setDataElements(0, 0, size, size, rgb);
        return image;
    }

    private static List<Integer> boxed(int[] ids) {
        List<Integer> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }
}
