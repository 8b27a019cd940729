package io.streamlip.app;

import java.util.Locale;

/**
 * How fast the demo's import sends pairs: {@link #AUTO} paces them by the trainer ({@link
 * AdaptivePace}: as fast as it takes examples, a few batches ahead), a fixed rate sends at most
 * that many pairs a second, and {@link #UNTHROTTLED} (0) sends as fast as it can. Written and
 * parsed as {@code auto} or a number ({@link #parse}, {@link #toString}).
 *
 * @param adaptive paced by the trainer; then {@code pairsPerSecond} is 0
 * @param pairsPerSecond the fixed rate, 0 for no limit; finite, not negative
 */
public record ImportRate(boolean adaptive, double pairsPerSecond) {
    /** Paced by the trainer. */
    public static final ImportRate AUTO = new ImportRate(true, 0);

    /** As fast as the import can send. */
    public static final ImportRate UNTHROTTLED = new ImportRate(false, 0);

    public ImportRate {
        if (!(pairsPerSecond >= 0) || Double.isInfinite(pairsPerSecond)) {
            throw new IllegalArgumentException(
                    "importRate must be 0 (unthrottled) or a positive rate, got " + pairsPerSecond);
        }
        if (adaptive && pairsPerSecond != 0) {
            throw new IllegalArgumentException(
                    "an adaptive import rate has no fixed rate, got " + pairsPerSecond);
        }
    }

    /** At most {@code pairsPerSecond} pairs a second; 0: as fast as the import can. */
    public static ImportRate fixed(double pairsPerSecond) {
        return new ImportRate(false, pairsPerSecond);
    }

    /** {@code auto} or a number of pairs per second (0: unthrottled). */
    public static ImportRate parse(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("auto")) {
            return AUTO;
        }
        try {
            return fixed(Double.parseDouble(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "import rate must be 'auto' or a number of pairs per second, got '"
                            + text
                            + "'");
        }
    }

    /** {@code adaptive}, {@code fixed} or {@code unthrottled}. */
    public String mode() {
        return adaptive ? "adaptive" : pairsPerSecond > 0 ? "fixed" : "unthrottled";
    }

    /** {@code auto} or the rate, as {@link #parse} reads it. */
    @Override
    public String toString() {
        if (adaptive) {
            return "auto";
        }
        return pairsPerSecond == Math.rint(pairsPerSecond)
                ? Long.toString((long) pairsPerSecond)
                : String.format(Locale.ROOT, "%s", pairsPerSecond);
    }
}
