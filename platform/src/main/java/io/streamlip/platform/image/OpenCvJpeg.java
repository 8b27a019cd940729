package io.streamlip.platform.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JPEG decoding by OpenCV's {@code imdecode} (libjpeg-turbo), at full scale or at 1/2, 1/4 or 1/8
 * scale inside the inverse DCT ({@code IMREAD_REDUCED_COLOR_*}): every coefficient is still
 * entropy-decoded, but only the low frequencies are transformed, a fraction of a full decode's
 * cost. EXIF orientation is applied by imdecode; CMYK and YCCK JPEGs come out as RGB.
 *
 * <p>The native library (inside the {@code org.openpnp:opencv} jar) is loaded once per class
 * loader, on first use; when it cannot load (another platform, a jar stripped of it) {@link
 * #available()} is false, one line is logged, and callers use ImageIO instead.
 */
final class OpenCvJpeg {
    private static final Logger LOG = LoggerFactory.getLogger(OpenCvJpeg.class);

    /** The DCT scale denominators imdecode offers. */
    static final int[] REDUCTIONS = {1, 2, 4, 8};

    private OpenCvJpeg() {}

    /** Whether the native library is loaded (loads it on the first call). */
    static boolean available() {
        return Native.LOADED;
    }

    /** Loads once, thread-safely, through the class initialisation of this holder. */
    private static final class Native {
        static final boolean LOADED = load();

        private static boolean load() {
            long start = System.nanoTime();
            try {
                nu.pattern.OpenCV.loadLocally();
                LOG.info(
                        "OpenCV {} loaded in {} ms: JPEGs decode at reduced scale",
                        org.opencv.core.Core.VERSION,
                        (System.nanoTime() - start) / 1_000_000);
                return true;
            } catch (Throwable e) { // UnsatisfiedLinkError, UnsupportedPlatformException, ...
                LOG.warn(
                        "OpenCV native library not loaded ({}): JPEGs decode at full scale"
                                + " through ImageIO",
                        e.toString());
                return false;
            }
        }
    }

    /**
     * The image decoded at {@code 1 / reduction} of its size per side (sides rounded up), EXIF
     * orientation applied, as {@code TYPE_3BYTE_BGR}; null when imdecode gives nothing (corrupt or
     * cut data). Call only when {@link #available()}.
     *
     * @param reduction one of {@link #REDUCTIONS}
     */
    static BufferedImage decode(byte[] jpeg, int reduction) {
        int flags =
                switch (reduction) {
                    case 1 -> Imgcodecs.IMREAD_COLOR;
                    case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
                    case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
                    case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
                    default -> throw new IllegalArgumentException("reduction " + reduction);
                };
        MatOfByte encoded = new MatOfByte(jpeg);
        Mat decoded = null;
        try {
            decoded = Imgcodecs.imdecode(encoded, flags);
            if (decoded.empty() || decoded.channels() != 3 || decoded.depth() != 0) {
                return null;
            }
            BufferedImage image =
                    new BufferedImage(decoded.cols(), decoded.rows(), BufferedImage.TYPE_3BYTE_BGR);
            // TYPE_3BYTE_BGR stores B, G, R per pixel, row by row: imdecode's layout exactly.
            byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            decoded.get(0, 0, pixels);
            return image;
        } finally {
            encoded.release();
            if (decoded != null) {
                decoded.release();
            }
        }
    }
}
