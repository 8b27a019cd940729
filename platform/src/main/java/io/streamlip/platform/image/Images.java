package io.streamlip.platform.image;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Reading and writing encoded images, shared by every stage that touches image bytes.
 *
 * <p>Only the formats of {@link #ALLOWED_FORMATS} are read (PNG, JPEG, GIF, BMP), recognised from
 * their first bytes ({@link #sniff}); ImageIO is handed only those, through the reader named for
 * the format, so the parsers of other formats (TIFF, WBMP, ...) never see untrusted bytes.
 *
 * <p>A decode materialises at most a given number of pixels ({@link #decode(byte[], long)}): an
 * image larger than that is decoded subsampled, every {@code s}-th pixel of every {@code s}-th row
 * (every byte is still read, so corruption anywhere is still found), into a raster of at most that
 * many pixels; an image within the bound decodes as it always did. Beside the raster, a decode
 * holds a few rows of the image, and an image above the bound with rows wider than {@code maxPixels
 * / 8} pixels is refused, so one decode's memory stays a small multiple of the bound.
 */
public final class Images {
    /** The formats read, as {@link Header#format()} names them. */
    public static final Set<String> ALLOWED_FORMATS = Set.of("png", "jpeg", "gif", "bmp");

    /**
     * Pixels a decode materialises at most unless told otherwise (2048 x 2048): an image above it
     * is decoded subsampled.
     */
    public static final long DEFAULT_MAX_DECODED_PIXELS = 2048L * 2048;

    private Images() {}

    /**
     * Working memory a caller that decodes many images on one thread keeps and passes to {@link
     * #decodeAtLeast(byte[], long, int, DecodeBuffers)}: the PNG fast path's inflater, staging
     * buffer and row buffers, reused instead of allocated per image (same pixels). Not thread-safe:
     * one per thread, e.g. per operator instance. Buffers above {@link #MAX_KEPT_BYTES} are not
     * kept, so it never holds the memory of the largest image it saw.
     *
     * <p>Buffers made by {@link #reusingImages()} also reuse the PNG fast path's image: a decode
     * may return the image object of the previous one, overwritten, so an image from them is valid
     * only until the next decode with them (for callers that consume it at once).
     */
    public static final class DecodeBuffers {
        /** The largest array kept between decodes. */
        static final int MAX_KEPT_BYTES = 1 << 20;

        private final boolean reuseImages;
        private BufferedImage image;
        private Inflater inflater;
        private byte[] staging = new byte[0];
        private byte[] previousRow = new byte[0];
        private byte[] row = new byte[0];

        /** Empty; filled by the first decode. Every image decoded with them is new. */
        public DecodeBuffers() {
            this(false);
        }

        private DecodeBuffers(boolean reuseImages) {
            this.reuseImages = reuseImages;
        }

        /**
         * Buffers that also reuse the decoded image (PNG fast path) when the next one has the same
         * size and type: an image is valid until the next decode with them.
         */
        public static DecodeBuffers reusingImages() {
            return new DecodeBuffers(true);
        }

        /**
         * An image of {@code w x h} and {@code type} whose every pixel the caller overwrites: the
         * previous one when these buffers reuse images and it fits, else a new one.
         */
        BufferedImage image(int w, int h, int type, int bytesPerPixel) {
            if (reuseImages
                    && image != null
                    && image.getWidth() == w
                    && image.getHeight() == h
                    && image.getType() == type) {
                return image;
            }
            BufferedImage fresh = new BufferedImage(w, h, type);
            if (reuseImages && (long) w * h * bytesPerPixel <= MAX_KEPT_BYTES) {
                image = fresh;
            }
            return fresh;
        }

        /** The inflater, reset to a fresh stream. */
        Inflater inflater() {
            if (inflater == null) {
                inflater = new Inflater();
            } else {
                inflater.reset();
            }
            return inflater;
        }

        /** Done with {@link #inflater()} for this image (kept, reset at the next use). */
        void release(Inflater used) {
            if (used != inflater) {
                used.end();
            }
        }

        /** A buffer of at least {@code length} bytes (contents undefined). */
        byte[] staging(int length) {
            if (staging.length >= length && staging.length <= MAX_KEPT_BYTES) {
                return staging;
            }
            byte[] fresh = new byte[length];
            if (length <= MAX_KEPT_BYTES) {
                staging = fresh;
            }
            return fresh;
        }

        /** A row of exactly {@code length} zero bytes: the row above a PNG's first. */
        byte[] previousRow(int length) {
            if (previousRow.length != length) {
                byte[] fresh = new byte[length];
                if (length <= MAX_KEPT_BYTES) {
                    previousRow = fresh;
                }
                return fresh;
            }
            java.util.Arrays.fill(previousRow, (byte) 0);
            return previousRow;
        }

        /** A row of exactly {@code length} bytes (contents undefined), not the previous row. */
        byte[] row(int length) {
            if (row.length != length) {
                byte[] fresh = new byte[length];
                if (length <= MAX_KEPT_BYTES) {
                    row = fresh;
                }
                return fresh;
            }
            return row;
        }

        /** Frees the inflater's native memory now (else its cleaner does, later). */
        public void close() {
            if (inflater != null) {
                inflater.end();
                inflater = null;
            }
        }
    }

    /**
     * What an image's header says, read without decoding any pixels.
     *
     * @param format lower-case container format, e.g. {@code png}, {@code jpeg}
     */
    public record Header(String format, int width, int height) {
        public long pixels() {
            return (long) width * height;
        }
    }

    /** Raised when bytes cannot be decoded into an image. */
    public static final class UndecodableImageException extends Exception {
        private static final long serialVersionUID = 1L;

        public UndecodableImageException(String message) {
            super(message);
        }

        public UndecodableImageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The container format the first bytes announce: one of {@link #ALLOWED_FORMATS}, or the name
     * of a format that is recognised but not read ({@code tiff}, {@code webp}, {@code wbmp}, {@code
     * ico}, {@code jpeg2000}, {@code heif}, {@code psd}); empty when the bytes announce nothing
     * known. Reads at most the first few bytes (and, for WBMP, checks its length).
     */
    public static Optional<String> sniff(byte[] bytes) {
        return Optional.ofNullable(ImageFormats.sniff(bytes));
    }

    /**
     * Reads format and dimensions from the header only, so a decompression bomb's claimed size is
     * known before any pixel memory is allocated. Empty when the bytes are not of an {@link
     * #ALLOWED_FORMATS allowed format} or the header itself is unreadable. A PNG's header is read
     * from its bytes ({@link PngDecoder}).
     */
    public static Optional<Header> probe(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Optional.empty();
        }
        String format = ImageFormats.sniff(bytes);
        if (format == null || !ALLOWED_FORMATS.contains(format)) {
            return Optional.empty();
        }
        Header png = PngDecoder.probe(bytes);
        if (png != null) {
            return Optional.of(png);
        }
        try (ImageInputStream in = memoryStream(bytes)) {
            ImageReader reader = reader(format);
            if (reader == null) {
                return Optional.empty();
            }
            try {
                reader.setInput(in, true, true);
                return Optional.of(new Header(format, reader.getWidth(0), reader.getHeight(0)));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * {@link #decode(byte[], long)} bounded by {@link #DEFAULT_MAX_DECODED_PIXELS}.
     *
     * @throws UndecodableImageException as {@link #decode(byte[], long)}
     */
    public static BufferedImage decode(byte[] bytes) throws UndecodableImageException {
        return decode(bytes, DEFAULT_MAX_DECODED_PIXELS);
    }

    /**
     * Decodes the image, strictly: fails on errors, on the warnings decoders emit for truncated or
     * corrupt data (ImageIO decodes a truncated JPEG without an error, filling the missing rows
     * with grey), and on formats outside {@link #ALLOWED_FORMATS}. Call {@link #probe} first when
     * the size is not yet trusted.
     *
     * <p>An image of at most {@code maxPixels} pixels is decoded whole. A larger one is decoded
     * subsampled by the factor {@link #subsampling} gives (pixel {@code (s*i, s*j)} of the image
     * becomes pixel {@code (i, j)}), so the raster holds at most {@code maxPixels} pixels and the
     * decoder's working memory stays a few rows; every byte of the image is still decoded.
     *
     * <p>8-bit RGB and RGBA PNGs take a fast path ({@link PngDecoder}, the same image as ImageIO);
     * JPEGs are turned upright by their EXIF orientation, CMYK ones decoded by OpenCV.
     *
     * @param maxPixels the most pixels the returned image may hold (at least 1)
     */
    public static BufferedImage decode(byte[] bytes, long maxPixels)
            throws UndecodableImageException {
        return decodeAtLeast(bytes, maxPixels, Integer.MAX_VALUE).image();
    }

    /**
     * An image decoded for consumers that need sides of at least a given length: {@code image}'s
     * sides are the header's divided by {@code divisor}, rounded up ({@code ceil(width /
     * divisor)}), and swapped when {@code transposed} (an EXIF orientation of a quarter turn).
     */
    public record Scaled(BufferedImage image, int divisor, boolean transposed) {
        /** Whether {@link #image} has the size {@code header} and this scale imply. */
        public boolean matches(Header header) {
            long w = ceilDiv(header.width(), divisor);
            long h = ceilDiv(header.height(), divisor);
            if (transposed) {
                long t = w;
                w = h;
                h = t;
            }
            return image.getWidth() == w && image.getHeight() == h;
        }
    }

    /**
     * Decodes the image once, no larger than its consumers need: a JPEG whose sides both stay at
     * least {@code minSide} at 1/2, 1/4 or 1/8 scale is decoded at the smallest such scale inside
     * the inverse DCT (OpenCV, when its native library loads: {@code OpenCvJpeg}), every byte still
     * entropy-decoded; everything else as {@link #decode(byte[], long)} (PNG's fast path,
     * subsampling above {@code maxPixels}). EXIF orientation is applied either way.
     *
     * <p>A reduced decode refuses data libjpeg cannot decode, but not the corrupt-data warnings it
     * recovers from, which ImageIO's full decode reports; callers that must prove bytes whole check
     * the container first (the filter walks a JPEG's markers to its end).
     *
     * @param maxPixels the most pixels the returned image may hold (at least 1)
     * @param minSide the shortest side the consumers need ({@link Integer#MAX_VALUE}: full size)
     */
    public static Scaled decodeAtLeast(byte[] bytes, long maxPixels, int minSide)
            throws UndecodableImageException {
        return decodeAtLeast(bytes, maxPixels, minSide, true, null);
    }

    /**
     * {@link #decodeAtLeast(byte[], long, int)} with the working memory of {@code buffers} (same
     * pixels); the image returned is new unless the buffers reuse images ({@link
     * DecodeBuffers#reusingImages()}), in which case the next decode with them may overwrite it.
     */
    public static Scaled decodeAtLeast(
            byte[] bytes, long maxPixels, int minSide, DecodeBuffers buffers)
            throws UndecodableImageException {
        return decodeAtLeast(bytes, maxPixels, minSide, true, buffers);
    }

    /** {@link #decodeAtLeast(byte[], long, int)}, through ImageIO only unless {@code useNative}. */
    static Scaled decodeAtLeast(byte[] bytes, long maxPixels, int minSide, boolean useNative)
            throws UndecodableImageException {
        return decodeAtLeast(bytes, maxPixels, minSide, useNative, null);
    }

    /** The decode itself; {@code buffers} null: buffers of its own. */
    private static Scaled decodeAtLeast(
            byte[] bytes, long maxPixels, int minSide, boolean useNative, DecodeBuffers buffers)
            throws UndecodableImageException {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        if (minSide < 1) {
            throw new IllegalArgumentException("minSide must be positive, got " + minSide);
        }
        if (bytes == null || bytes.length == 0) {
            throw new UndecodableImageException("no image bytes");
        }
        String format = ImageFormats.sniff(bytes);
        if (format == null) {
            throw new UndecodableImageException(
                    "unknown image format (first bytes " + hexPrefix(bytes) + ")");
        }
        if (!ALLOWED_FORMATS.contains(format)) {
            throw new UndecodableImageException(
                    "image format not allowed: " + format + " (allowed: png, jpeg, gif, bmp)");
        }
        if (format.equals("png")) {
            Header header = PngDecoder.probe(bytes);
            if (header != null) {
                checkRowWidth(header.width(), header.height(), maxPixels);
            }
            BufferedImage png =
                    buffers == null
                            ? PngDecoder.decode(bytes, maxPixels)
                            : PngDecoder.decode(bytes, maxPixels, buffers);
            if (png != null) {
                return new Scaled(
                        png,
                        header == null
                                ? 1
                                : subsampling(header.width(), header.height(), maxPixels),
                        false);
            }
        }
        boolean nativeJpeg = useNative && format.equals("jpeg") && OpenCvJpeg.available();
        int orientation = format.equals("jpeg") ? ExifOrientation.of(bytes) : 1;
        boolean transposed = ExifOrientation.transposes(orientation);
        try (ImageInputStream in = memoryStream(bytes)) {
            ImageReader reader = reader(format);
            if (reader == null) {
                throw new UndecodableImageException("no reader for " + format);
            }
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkRowWidth(width, height, maxPixels);
                int reduction = nativeJpeg ? reduction(width, height, maxPixels, minSide) : 1;
                boolean fourComponents =
                        format.equals("jpeg") && ImageFormats.jpegComponents(bytes) == 4;
                if (fourComponents) {
                    // CMYK or YCCK: ImageIO reads them without a colour conversion, wrongly.
                    if (!nativeJpeg) {
                        throw new UndecodableImageException(
                                "CMYK/YCCK JPEG: no colour conversion without OpenCV's decoder");
                    }
                    while (reduction < 8
                            && ceilDiv(width, reduction) * ceilDiv(height, reduction) > maxPixels) {
                        reduction *= 2;
                    }
                    if (ceilDiv(width, reduction) * ceilDiv(height, reduction) > maxPixels) {
                        throw new UndecodableImageException(
                                "CMYK/YCCK JPEG of "
                                        + width
                                        + "x"
                                        + height
                                        + " is above the decode bound even at 1/8 scale");
                    }
                }
                if (reduction > 1 || fourComponents) {
                    return new Scaled(opencv(bytes, reduction), reduction, transposed);
                }
                int factor = subsampling(width, height, maxPixels);
                ImageReadParam param = null;
                if (factor > 1) {
                    param = reader.getDefaultReadParam();
                    param.setSourceSubsampling(factor, factor, 0, 0);
                }
                BufferedImage image = reader.read(0, param);
                if (!warnings.isEmpty()) {
                    throw new UndecodableImageException(
                            "truncated or corrupt: " + String.join("; ", warnings));
                }
                return new Scaled(ExifOrientation.apply(image, orientation), factor, transposed);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new UndecodableImageException("truncated or corrupt: " + e, e);
        }
    }

    /**
     * The DCT scale denominator (1, 2, 4 or 8) for a JPEG of {@code width x height}: the largest
     * whose result keeps both sides at least {@code minSide} and holds at most {@code maxPixels}; 1
     * when none above 1 does.
     */
    static int reduction(long width, long height, long maxPixels, int minSide) {
        for (int i = OpenCvJpeg.REDUCTIONS.length - 1; i > 0; i--) {
            int r = OpenCvJpeg.REDUCTIONS[i];
            long w = ceilDiv(width, r);
            long h = ceilDiv(height, r);
            if (Math.min(w, h) >= minSide && w * h <= maxPixels) {
                return r;
            }
        }
        return 1;
    }

    private static BufferedImage opencv(byte[] bytes, int reduction)
            throws UndecodableImageException {
        if (!ImageFormats.jpegReachesEoi(bytes)) {
            // libjpeg fills a cut file's missing rows with grey and only warns.
            throw new UndecodableImageException(
                    "truncated: JPEG of " + bytes.length + " bytes lacks its end-of-image marker");
        }
        BufferedImage image = OpenCvJpeg.decode(bytes, reduction);
        if (image == null) {
            throw new UndecodableImageException(
                    "truncated or corrupt: libjpeg could not decode it at 1/" + reduction);
        }
        return image;
    }

    /**
     * The smallest factor {@code s >= 1} such that an image of {@code width x height} subsampled by
     * {@code s} along both axes ({@code ceil(width / s) x ceil(height / s)}) holds at most {@code
     * maxPixels} pixels: 1 when the image is within the bound.
     */
    public static int subsampling(long width, long height, long maxPixels) {
        if (width < 1 || height < 1 || width * height <= maxPixels) {
            return 1;
        }
        // Start below the answer (the square root of the ratio) and step up.
        int s = Math.max(2, (int) Math.sqrt((double) width * height / maxPixels));
        while (ceilDiv(width, s) * ceilDiv(height, s) > maxPixels) {
            s++;
        }
        while (s > 2 && ceilDiv(width, s - 1) * ceilDiv(height, s - 1) <= maxPixels) {
            s--;
        }
        return s;
    }

    /**
     * Refuses an image above the bound whose rows are so wide that a decoder's few row buffers
     * (each a row of up to 8 bytes a pixel) would cost more than the bound's raster: wider than
     * {@code maxPixels / 8} pixels. An image within the bound decodes whole as ever.
     */
    private static void checkRowWidth(long width, long height, long maxPixels)
            throws UndecodableImageException {
        if (width * height > maxPixels && width > Math.max(1, maxPixels / 8)) {
            throw new UndecodableImageException(
                    "rows of "
                            + width
                            + " pixels are too wide to decode subsampled within "
                            + maxPixels
                            + " pixels");
        }
    }

    /** {@code ceil(n / d)} for positive {@code n} and {@code d}. */
    static long ceilDiv(long n, long d) {
        return (n + d - 1) / d;
    }

    /** The JDK's reader for {@code format} (asked by name, never by sniffing), or null. */
    private static ImageReader reader(String format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        return readers.hasNext() ? readers.next() : null;
    }

    /**
     * The pixels as sRGB ARGB, row-major, exactly what {@code image.getRGB} returns. The types
     * ImageIO decodes PNG and JPEG into (3 or 4 interleaved bytes, packed ints) are read straight
     * from the raster's buffer instead of through {@code getRGB}'s colour-model call per pixel or
     * {@code getDataElements}' per-sample copy, which were most of resizing's and hashing's time;
     * other types (grey, indexed, premultiplied) take {@code getRGB}, which also applies their
     * colour conversions.
     */
    public static int[] argb(BufferedImage image) {
        return argb(image, new int[0]);
    }

    /**
     * {@link #argb(BufferedImage)} written into {@code into} when it holds at least width x height
     * ints (row-major from index 0, the rest untouched), else into a new array; returns the array
     * written, so a caller that converts many images can reuse one buffer.
     */
    public static int[] argb(BufferedImage image, int[] into) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = into.length >= w * h ? into : new int[w * h];
        int type = image.getType();
        Raster raster = image.getRaster();
        boolean bytes =
                type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_4BYTE_ABGR;
        boolean ints = type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB;
        if (bytes
                && raster.getSampleModel() instanceof ComponentSampleModel model
                && raster.getDataBuffer() instanceof DataBufferByte buffer
                && buffer.getNumBanks() == 1) {
            // The raster's bands are R, G, B (, A) wherever they sit in a pixel's bytes.
            byte[] data = buffer.getData();
            int[] band = model.getBandOffsets();
            int pixelStride = model.getPixelStride();
            int scanline = model.getScanlineStride();
            int origin =
                    buffer.getOffset()
                            - raster.getSampleModelTranslateY() * scanline
                            - raster.getSampleModelTranslateX() * pixelStride;
            int red = band[0];
            int green = band[1];
            int blue = band[2];
            if (type == BufferedImage.TYPE_4BYTE_ABGR) {
                int alpha = band[3];
                for (int y = 0, i = 0; y < h; y++) {
                    int p = origin + y * scanline;
                    for (int x = 0; x < w; x++, i++, p += pixelStride) {
                        argb[i] =
                                (data[p + alpha] & 0xff) << 24
                                        | (data[p + red] & 0xff) << 16
                                        | (data[p + green] & 0xff) << 8
                                        | (data[p + blue] & 0xff);
                    }
                }
            } else {
                for (int y = 0, i = 0; y < h; y++) {
                    int p = origin + y * scanline;
                    for (int x = 0; x < w; x++, i++, p += pixelStride) {
                        argb[i] =
                                0xff000000
                                        | (data[p + red] & 0xff) << 16
                                        | (data[p + green] & 0xff) << 8
                                        | (data[p + blue] & 0xff);
                    }
                }
            }
        } else if (ints
                && raster.getSampleModel() instanceof SinglePixelPackedSampleModel model
                && raster.getDataBuffer() instanceof DataBufferInt buffer
                && buffer.getNumBanks() == 1) {
            int[] data = buffer.getData();
            int scanline = model.getScanlineStride();
            int origin =
                    buffer.getOffset()
                            - raster.getSampleModelTranslateY() * scanline
                            - raster.getSampleModelTranslateX();
            int opaque = type == BufferedImage.TYPE_INT_RGB ? 0xff000000 : 0;
            for (int y = 0; y < h; y++) {
                int p = origin + y * scanline;
                for (int x = 0; x < w; x++) {
                    argb[y * w + x] = opaque | data[p + x];
                }
            }
        } else {
            image.getRGB(0, 0, w, h, argb, 0, w);
        }
        return argb;
    }

    /**
     * Reads from memory: {@code ImageIO.createImageInputStream} caches to a temporary file by
     * default ({@link ImageIO#getUseCache()}), disk I/O per image for bytes already in memory.
     */
    private static ImageInputStream memoryStream(byte[] bytes) {
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    }

    /** Encodes as PNG. */
    public static byte[] png(BufferedImage image) {
        return encode(image, "png");
    }

    /**
     * Encodes in {@code format} ({@code png}, {@code jpeg}, ...), in memory: {@code
     * ImageIO.write(image, format, OutputStream)} caches through a temporary file by default, one
     * file per image (the tokenize stage encodes one per record in its PNG layout).
     */
    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(image, format, stream)) {
                throw new IllegalArgumentException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Whether a JPEG's markers lead to its end-of-image marker {@code FF D9}: segments skipped by
     * their lengths, entropy-coded data up to the next marker that is not a stuffed zero, a restart
     * marker or fill. False for a file cut short; bytes after the end are allowed. A marker whose
     * length is impossible leaves the verdict to the decoder (true).
     */
    public static boolean jpegReachesEoi(byte[] bytes) {
        return ImageFormats.jpegReachesEoi(bytes);
    }

    /** The first bytes as hex, for error messages about unreadable data. */
    public static String hexPrefix(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            s.append(String.format("%02x", bytes[i] & 0xff));
        }
        return s.toString();
    }
}
