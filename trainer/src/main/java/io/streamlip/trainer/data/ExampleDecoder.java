package io.streamlip.trainer.data;

import io.streamlip.ingest.image.Images;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.tokenize.ImagePreprocessor;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns an {@code examples} record into a {@link DecodedExample} the model can take, or says why it
 * cannot: wrong image size or format, a tokenizer other than the model's, ids outside the
 * vocabulary. The tokenize stage already validated the records, so a refusal here means a
 * misconfigured pipeline or a corrupt record: the trainer logs, counts and skips it.
 */
public final class ExampleDecoder {
    private final AvroSerde<Example> serde = AvroSerde.of(Example.class);
    private final int imageSize;
    private final int vocabSize;
    private final String tokenizerVersion;
    private final ImagePreprocessor preprocessor;

    /**
     * @param tokenizerVersion the only tokenizer version accepted, or null to accept any
     */
    public ExampleDecoder(int imageSize, int vocabSize, String tokenizerVersion) {
        this.imageSize = imageSize;
        this.vocabSize = vocabSize;
        this.tokenizerVersion = tokenizerVersion;
        this.preprocessor = new ImagePreprocessor(imageSize);
    }

    /** Why a record was refused. */
    public static final class InvalidExampleException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidExampleException(String message, Throwable cause) {
            super(message, cause);
        }

        public InvalidExampleException(String message) {
            super(message);
        }
    }

    /** Decodes the Avro single-object bytes of an {@code Example}. */
    public DecodedExample decode(byte[] value) throws InvalidExampleException {
        Example example;
        try {
            example = serde.decode(value);
        } catch (RuntimeException e) { // AvroSerde.DecodeException and Avro's own
            throw new InvalidExampleException("not an Example record: " + e.getMessage(), e);
        }
        return convert(example);
    }

    /** Checks an already decoded record and brings its image to training layout. */
    public DecodedExample convert(Example example) throws InvalidExampleException {
        if (tokenizerVersion != null && !tokenizerVersion.equals(example.getTokenizerVersion())) {
            throw new InvalidExampleException(
                    "tokenizer "
                            + example.getTokenizerVersion()
                            + " is not the model's "
                            + tokenizerVersion);
        }
        List<Integer> tokens = example.getTokenIds();
        if (tokens.isEmpty()) {
            throw new InvalidExampleException("no tokens");
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            int id = tokens.get(i);
            if (id < 0 || id >= vocabSize) {
                throw new InvalidExampleException(
                        "token id " + id + " outside the vocabulary [0, " + vocabSize + ")");
            }
            ids[i] = id;
        }
        byte[] pixels = bytes(example.getImage());
        byte[] rgb;
        if (example.getImageFormat() == PixelFormat.RGB8_HWC) {
            if (example.getImageSize() != imageSize || pixels.length != imageSize * imageSize * 3) {
                throw new InvalidExampleException(
                        "image is "
                                + example.getImageSize()
                                + " px with "
                                + pixels.length
                                + " bytes; the model needs "
                                + imageSize
                                + " px RGB8_HWC ("
                                + imageSize * imageSize * 3
                                + " bytes)");
            }
            rgb = pixels;
        } else {
            try {
                rgb = preprocessor.process(pixels); // PNG: decode and resize if needed
            } catch (Images.UndecodableImageException e) {
                throw new InvalidExampleException("undecodable PNG image: " + e.getMessage(), e);
            }
        }
        return new DecodedExample(example.getId(), example.getLang(), rgb, ids);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
