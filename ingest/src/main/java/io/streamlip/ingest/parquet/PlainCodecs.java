package io.streamlip.ingest.parquet;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet page codecs without Hadoop: parquet-hadoop's own {@code CodecFactory} goes through
 * Hadoop's compression classes, this one through the libraries Kafka already brings (snappy-java,
 * zstd-jni, lz4-java) and the JDK (gzip). Supports UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW and
 * LZ4 (Hadoop framing, or a raw block); LAION and DataComp metadata use the first ones. BROTLI is
 * refused: no pure-Java Brotli decoder is served here; any other codec fails the read with an
 * {@link IOException} naming it. Stateless: one instance may serve any number of readers and
 * writers.
 */
public final class PlainCodecs implements CompressionCodecFactory {
    /**
     * Largest page decompressed (a corrupt header could ask for gigabytes; writers use about 1
     * MiB).
     */
    public static final int MAX_PAGE_BYTES = 256 << 20;

    /** The shared instance. */
    public static final PlainCodecs INSTANCE = new PlainCodecs();

    /** LZ4 in plain Java (no JNI, no Unsafe): what Kafka's lz4-java brings. */
    private static final LZ4Factory LZ4 = LZ4Factory.safeInstance();

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
                            case LZ4_RAW -> LZ4.fastCompressor().compress(in);
                            case LZ4 -> hadoopLz4(in);
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
                            case LZ4_RAW -> lz4Block(in, 0, in.length, size);
                            case LZ4 -> unHadoopLz4(in, size);
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
        String why =
                codec == CompressionCodecName.BROTLI
                        ? " (no pure-Java Brotli decoder is served to this project)"
                        : "";
        return new IOException(
                "Parquet codec "
                        + codec
                        + " is not supported"
                        + why
                        + " (UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, LZ4)");
    }

    /** A raw LZ4 block of exactly {@code size} bytes. */
    private static byte[] lz4Block(byte[] in, int offset, int length, int size) throws IOException {
        byte[] out = new byte[size];
        int written;
        try {
            written = LZ4.safeDecompressor().decompress(in, offset, length, out, 0, size);
        } catch (LZ4Exception e) {
            throw new IOException("corrupt LZ4 page: " + e.getMessage(), e);
        }
        if (written != size) {
            throw new IOException(
                    "LZ4 page decompressed to " + written + " bytes, expected " + size);
        }
        return out;
    }

    /**
     * Parquet's deprecated LZ4 codec: Hadoop's block framing (per block a big-endian uncompressed
     * length, then chunks each with a big-endian compressed length); a page that does not parse as
     * that framing is read as one raw block, as Arrow and parquet-cpp do for writers that wrote raw
     * blocks under this codec.
     */
    private static byte[] unHadoopLz4(byte[] in, int size) throws IOException {
        try {
            return unframed(in, size);
        } catch (IOException | LZ4Exception e) {
            return lz4Block(in, 0, in.length, size);
        }
    }

    private static byte[] unframed(byte[] in, int size) throws IOException {
        byte[] out = new byte[size];
        ByteBuffer frames = ByteBuffer.wrap(in); // big-endian
        int done = 0;
        while (frames.remaining() > 0) {
            if (frames.remaining() < 8) {
                throw new IOException("truncated LZ4 frame header");
            }
            int blockSize = frames.getInt();
            if (blockSize < 0 || blockSize > size - done) {
                throw new IOException("LZ4 block of " + blockSize + " bytes does not fit");
            }
            int blockEnd = done + blockSize;
            while (done < blockEnd) {
                int chunk = frames.getInt();
                if (chunk < 0 || chunk > frames.remaining()) {
                    throw new IOException("LZ4 chunk of " + chunk + " bytes does not fit");
                }
                done +=
                        LZ4.safeDecompressor()
                                .decompress(
                                        in, frames.position(), chunk, out, done, blockEnd - done);
                frames.position(frames.position() + chunk);
                if (done < blockEnd && frames.remaining() < 4) {
                    throw new IOException("truncated LZ4 chunk header");
                }
            }
        }
        if (done != size) {
            throw new IOException("LZ4 page decompressed to " + done + " bytes, expected " + size);
        }
        return out;
    }

    /** One Hadoop LZ4 block holding all of {@code in}. */
    private static byte[] hadoopLz4(byte[] in) {
        byte[] block = LZ4.fastCompressor().compress(in);
        return ByteBuffer.allocate(8 + block.length)
                .putInt(in.length)
                .putInt(block.length)
                .put(block)
                .array();
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
