package io.streamlip.ingest.parquet;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet page codecs without Hadoop: parquet-hadoop's own {@code CodecFactory} goes through
 * Hadoop's compression classes, this one through the libraries Kafka already brings (snappy-java,
 * zstd-jni) and the JDK (gzip). Supports UNCOMPRESSED, SNAPPY, GZIP and ZSTD, what LAION and
 * DataComp metadata use; any other codec fails the read with an {@link IOException} naming it.
 * Stateless: one instance may serve any number of readers and writers.
 */
public final class PlainCodecs implements CompressionCodecFactory {
    /**
     * Largest page decompressed (a corrupt header could ask for gigabytes; writers use about 1
     * MiB).
     */
    public static final int MAX_PAGE_BYTES = 256 << 20;

    /** The shared instance. */
    public static final PlainCodecs INSTANCE = new PlainCodecs();

    private PlainCodecs() {}

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return new BytesInputCompressor() {
            @Override
            public BytesInput compress(BytesInput bytes) throws IOException {
                byte[] in = bytes.toByteArray();
                return BytesInput.from(
                        switch (codec) {
                            case UNCOMPRESSED -> in;
                            case SNAPPY -> Snappy.compress(in);
                            case ZSTD -> Zstd.compress(in, 3);
                            case GZIP -> gzip(in);
                            default -> throw unsupported(codec);
                        });
            }

            @Override
            public CompressionCodecName getCodecName() {
                return codec;
            }

            @Override
            public void release() {}
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return new BytesInputDecompressor() {
            @Override
            public BytesInput decompress(BytesInput bytes, int uncompressedSize)
                    throws IOException {
                return BytesInput.from(decompress(bytes.toByteArray(), uncompressedSize));
            }

            @Override
            public void decompress(
                    ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                    throws IOException {
                byte[] in = new byte[compressedSize];
                input.duplicate().get(in);
                output.put(decompress(in, uncompressedSize));
            }

            private byte[] decompress(byte[] in, int size) throws IOException {
                if (size < 0 || size > MAX_PAGE_BYTES) {
                    throw new IOException(
                            "a page of " + size + " bytes, more than " + MAX_PAGE_BYTES);
                }
                if (codec == CompressionCodecName.SNAPPY && Snappy.uncompressedLength(in) != size) {
                    throw new IOException("SNAPPY page does not hold " + size + " bytes");
                }
                byte[] out =
                        switch (codec) {
                            case UNCOMPRESSED -> in;
                            case SNAPPY -> Snappy.uncompress(in);
                            case ZSTD -> Zstd.decompress(in, size);
                            case GZIP -> gunzip(in, size);
                            default -> throw unsupported(codec);
                        };
                if (out.length != size) {
                    throw new IOException(
                            codec
                                    + " page decompressed to "
                                    + out.length
                                    + " bytes, expected "
                                    + size);
                }
                return out;
            }

            @Override
            public void release() {}
        };
    }

    @Override
    public void release() {}

    private static IOException unsupported(CompressionCodecName codec) {
        return new IOException(
                "Parquet codec " + codec + " is not supported (UNCOMPRESSED, SNAPPY, GZIP, ZSTD)");
    }

    private static byte[] gzip(byte[] in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 2 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(in);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] in, int size) throws IOException {
        try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(in))) {
            // One byte past the expected size notices a page that claims less than it holds.
            return gz.readNBytes(size + 1);
        }
    }
}
