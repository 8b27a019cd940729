package io.streamlip.platform;

import java.util.SplittableRandom;

/**
 * Deterministic seeded fuzzing in plain JUnit 5 tests (ingest's test jar, for every module). {@link
 * #run} runs {@code cases} cases; case {@code i} draws its input from its own {@link
 * SplittableRandom}, seeded with the {@code (i + 1)}-th {@code nextLong()} of {@code new
 * SplittableRandom(seed)}, so every run draws the same inputs and one case can be rerun alone with
 * {@link #replay}. A failing case (assertion or exception) ends the run with an {@link
 * AssertionError} that names the fuzzer, the case index and the case seed, with the failure as its
 * cause. A run prints one line: its name, cases and wall time. The system property {@value
 * #CASES_PROPERTY} multiplies the cases, to fuzz longer locally ({@code
 * -Dstreamlip.fuzz.cases=20}).
 *
 * <pre>{@code
 * @Test
 * void everyRecordIsDecodedOrRefused() {
 *     Fuzz.run("DecoderFuzzTest.records", 3000, 20261206L, (i, random) -> check(record(random)));
 * }
 *
 * // the input of one case, drawn from the case's random (what a generator method was)
 * static byte[] record(SplittableRandom random) {
 *     return switch (Fuzz.weighted(random, 1, 3)) { // 1 in 4 random bytes, else a mutated record
 *         case 0 -> Fuzz.bytes(random, 4096);
 *         default -> mutated(VALID, random);
 *     };
 * }
 *
 * // a failure names case 17 and its seed; rerun that case alone while debugging:
 * Fuzz.replay("DecoderFuzzTest.records", 17, 0x5d1e6c0c2b9a0f3aL, (i, random) -> check(record(random)));
 * }</pre>
 */
public final class Fuzz {
    /**
     * The system property that multiplies every fuzzer's cases (a positive integer, 1 if unset);
     * the first cases stay those of a plain run.
     */
    public static final String CASES_PROPERTY = "streamlip.fuzz.cases";

    /** The body of a fuzzer: draws one input from {@code random} and checks it. */
    @FunctionalInterface
    public interface FuzzCase {
        void check(int index, SplittableRandom random) throws Exception;
    }

    private Fuzz() {}

    /** Runs {@code cases} (times {@value #CASES_PROPERTY}) cases of {@code body}; see above. */
    public static void run(String name, int cases, long seed, FuzzCase body) {
        int multiplier = Integer.getInteger(CASES_PROPERTY, 1);
        if (cases < 1 || multiplier < 1) {
            throw new IllegalArgumentException(
                    name + ": cases " + cases + " and " + CASES_PROPERTY + " must be positive");
        }
        int total = Math.multiplyExact(cases, multiplier);
        SplittableRandom seeds = new SplittableRandom(seed);
        long started = System.nanoTime();
        for (int i = 0; i < total; i++) {
            runCase(name, i, total, seeds.nextLong(), body);
        }
        System.out.printf(
                "fuzz %s: %d cases in %d ms%n",
                name, total, (System.nanoTime() - started) / 1_000_000);
    }

    /** Runs the one case {@code index} of a fuzzer, from the case seed its failure reported. */
    public static void replay(String name, int index, long caseSeed, FuzzCase body) {
        runCase(name, index, 1, caseSeed, body);
    }

    private static void runCase(String name, int index, int total, long caseSeed, FuzzCase body) {
        try {
            body.check(index, new SplittableRandom(caseSeed));
        } catch (Throwable failure) {
            String seed = String.format("0x%xL", caseSeed);
            throw new AssertionError(
                    String.format(
                            "%s: case %d of %d failed (case seed %s; rerun it alone with"
                                    + " Fuzz.replay(\"%s\", %d, %s, body)): %s",
                            name, index, total, seed, name, index, seed, failure),
                    failure);
        }
    }

    /** The index of one of {@code weights}, drawn with probability proportional to its weight. */
    public static int weighted(SplittableRandom random, int... weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int r = random.nextInt(total);
        for (int i = 0; ; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
    }

    /** One of {@code values}, each as likely. */
    @SafeVarargs
    public static <T> T oneOf(SplittableRandom random, T... values) {
        return values[random.nextInt(values.length)];
    }

    /**
     * A length in {@code [0, max]}, biased to the edges: 0 one time in eight, {@code max} one time
     * in eight, a length under 10 one time in four, else uniform.
     */
    public static int size(SplittableRandom random, int max) {
        return switch (random.nextInt(8)) {
            case 0 -> 0;
            case 1 -> max;
            case 2, 3 -> random.nextInt(Math.min(max, 9) + 1);
            default -> random.nextInt(max + 1);
        };
    }

    /** Random bytes, {@link #size} long. */
    public static byte[] bytes(SplittableRandom random, int maxSize) {
        byte[] bytes = new byte[size(random, maxSize)];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * A string, {@link #size} long, of ASCII chars (one time in two) or of any UTF-16 chars, lone
     * surrogates too.
     */
    public static String string(SplittableRandom random, int maxLength) {
        char[] chars = new char[size(random, maxLength)];
        int bound = random.nextBoolean() ? 0x80 : Character.MAX_VALUE + 1;
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) random.nextInt(bound);
        }
        return new String(chars);
    }
}
