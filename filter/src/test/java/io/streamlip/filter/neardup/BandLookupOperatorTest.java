package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.FilterTestRecords;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The band bucket stage in Flink's keyed operator test harness: answers, the oldest cluster, and
 * the retention kept by hand per member (processing time moved by the harness).
 */
class BandLookupOperatorTest {
    private static final byte[] THUMBNAIL = new byte[16 * 16 * 3];
    private static final long BAND = 7L;

    @Test
    void answersTheOldestNearClusterAndForgetsMembersAfterTheRetention() throws Exception {
        FilterConfig config = FilterConfig.builder().dedupRetention(Duration.ofHours(1)).build();
        long hash = 0x0123_4567_89ab_cdefL;
        long near = hash ^ 0b101L; // distance 2
        long far = ~hash; // distance 64
        try (var harness = harness(config)) {
            harness.setProcessingTime(1_000);
            harness.processElement(probe("a", hash, 1, 100), 0);
            harness.processElement(probe("b", near, 2, 200), 0);
            harness.processElement(probe("c", far, 3, 50), 0);
            // The same image again finds its own member and is not stored twice.
            harness.processElement(probe("a-again", hash, 1, 300), 0);
            // A younger cluster near both: the answer is the oldest, image 1's (time 100).
            harness.processElement(probe("d", near ^ (1L << 40), 4, 400), 0);

            harness.setProcessingTime(1_000 + Duration.ofHours(1).toMillis());
            harness.processElement(probe("e", hash, 5, 500), 0);
            harness.processElement(probe("f", near, 6, 600), 0);

            List<BandAnswer> answers = harness.extractOutputValues();
            assertThat(answers)
                    .extracting(BandLookupOperatorTest::shown)
                    .containsExactly(
                            "a:-",
                            "b:1@100",
                            "c:-",
                            "a-again:1@100",
                            "d:1@100",
                            // after the retention the bucket starts again: e is a new cluster
                            "e:-",
                            "f:5@500");
        }
    }

    @Test
    void theOldestClusterWinsWhateverTheOrderInTheBucket() throws Exception {
        // p and q are not near each other (13 bits apart); r is near both (7 and 6 bits).
        try (var harness = harness(FilterConfig.defaults())) {
            harness.processElement(probe("p", 0L, 1, 900), 0);
            harness.processElement(probe("q", 0x1FFFL, 2, 100), 0);
            harness.processElement(probe("r", 0x7FL, 3, 1000), 0);
            assertThat(harness.extractOutputValues())
                    .extracting(BandLookupOperatorTest::shown)
                    .containsExactly("p:-", "q:-", "r:2@100");
        }
    }

    @Test
    void aBucketRewrittenIntoOneChunkStillAnswers() throws Exception {
        try (var harness = harness(FilterConfig.defaults())) {
            // Far-apart hashes (13+ bits between any two), more of them than chunks allowed.
            int images = BandLookupOperator.MAX_CHUNKS + 10;
            for (int i = 0; i < images; i++) {
                harness.processElement(probe("x" + i, spread(i), 100 + i, 100 + i), 0);
            }
            harness.processElement(probe("near-first", spread(0) ^ 1L, 999, 5000), 0);
            harness.processElement(probe("near-last", spread(images - 1) ^ 1L, 998, 5000), 0);
            List<BandAnswer> answers = harness.extractOutputValues();
            assertThat(answers.subList(0, images)).allSatisfy(a -> assertThat(a.found).isFalse());
            assertThat(answers.subList(images, images + 2))
                    .extracting(a -> a.pairKey + ":" + a.cluster + "@" + a.clusterTime)
                    .containsExactly(
                            "near-first:100@100",
                            "near-last:" + (100 + images - 1) + "@" + (100 + images - 1));
        }
    }

    /** A well-mixed hash of i: any two of these lie about 32 bits apart (checked by the test). */
    private static long spread(int i) {
        long x = i * 0x9E3779B97F4A7C15L;
        return x ^ (x >>> 29);
    }

    @Test
    void aNearHashWithADifferentThumbnailIsNotANearCopy() throws Exception {
        FilterConfig config = FilterConfig.defaults();
        byte[] other = new byte[THUMBNAIL.length];
        java.util.Arrays.fill(other, (byte) 0xff);
        try (var harness = harness(config)) {
            harness.processElement(probe("a", 42L, 1, 100), 0);
            harness.processElement(new BandProbe("b", BAND, 43L, other, 2, 200), 0);
            assertThat(harness.extractOutputValues())
                    .extracting(a -> a.found)
                    .containsExactly(false, false);
        }
    }

    /**
     * Two images meet in every band (the probes of one pair, as the job sends them): each bucket
     * gives the answer it would give alone, whether the thumbnails confirm the near copy or not,
     * though the task compares each pair of images once ({@link NearCopyMemo}).
     */
    @Test
    void theSameTwoImagesGetTheSameVerdictInEveryBand() throws Exception {
        byte[] other = new byte[THUMBNAIL.length];
        java.util.Arrays.fill(other, (byte) 0xff);
        try (var harness = harness(FilterConfig.defaults())) {
            for (long band = 0; band < 13; band++) {
                harness.processElement(new BandProbe("a", band, 42L, THUMBNAIL, 1, 100), 0);
            }
            for (long band = 0; band < 13; band++) {
                harness.processElement(new BandProbe("b", band, 43L, THUMBNAIL, 2, 200), 0);
                harness.processElement(new BandProbe("c", band, 43L, other, 3, 300), 0);
            }
            // d is near c only; c is stored as a cluster of its own in every bucket.
            for (long band = 0; band < 13; band++) {
                harness.processElement(new BandProbe("d", band, 42L, other, 4, 400), 0);
            }
            java.util.Map<String, java.util.Set<String>> byPair = new java.util.TreeMap<>();
            for (BandAnswer a : harness.extractOutputValues()) {
                byPair.computeIfAbsent(a.pairKey, k -> new java.util.TreeSet<>())
                        .add(a.found ? a.cluster + "@" + a.clusterTime : "-");
            }
            assertThat(byPair)
                    .containsExactly(
                            java.util.Map.entry("a", java.util.Set.of("-")),
                            java.util.Map.entry("b", java.util.Set.of("1@100")),
                            java.util.Map.entry("c", java.util.Set.of("-")),
                            java.util.Map.entry("d", java.util.Set.of("3@300")));
        }
    }

    /**
     * The bucket cache only saves state reads: the answers are the same without it, with a budget
     * so small that buckets are evicted all the time, and when the task is restored from a snapshot
     * half-way (a new task, empty cache, the state as written through).
     */
    @Test
    void theBucketCacheNeverChangesAnAnswer() throws Exception {
        List<BandProbe> probes = new java.util.ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        long[] centres = {0L, 0x00FF_00FF_00FFL, -1L};
        for (int i = 0; i < 400; i++) {
            long hash = centres[random.nextInt(centres.length)];
            for (int flip = random.nextInt(8); flip > 0; flip--) {
                hash ^= 1L << random.nextInt(64);
            }
            // Some images come again (their id repeats), most are new.
            long imageId = random.nextInt(4) == 0 ? random.nextInt(i + 1) : 1000 + i;
            probes.add(
                    new BandProbe("p" + i, random.nextInt(3), hash, THUMBNAIL, imageId, 100 + i));
        }
        // Members expire now and then, so buckets are also pruned and rewritten.
        FilterConfig base = FilterConfig.builder().dedupRetention(Duration.ofMillis(150)).build();
        List<String> none = answers(base, 0, probes, false);
        assertThat(none).anyMatch(a -> a.contains("@")).anyMatch(a -> a.endsWith(":-"));
        assertThat(answers(base, NearDuplicateConfig.defaults().bucketCacheBytes(), probes, false))
                .isEqualTo(none);
        assertThat(answers(base, 700, probes, false)).isEqualTo(none);
        assertThat(answers(base, NearDuplicateConfig.defaults().bucketCacheBytes(), probes, true))
                .isEqualTo(none);
    }

    /**
     * A candidate remembered as a near copy from another band is not the answer when an older
     * candidate the task has not compared yet also confirms: B is remembered near P from band 1,
     * and in band 2 the older A (not near B, so a cluster of its own) is near P too.
     */
    @Test
    void anOlderCandidateNotYetComparedBeatsOneRememberedNear() throws Exception {
        byte[] lighter = filled(103);
        byte[] darker = filled(97);
        byte[] middle = filled(100);
        try (var harness = harness(FilterConfig.defaults())) {
            harness.processElement(new BandProbe("B", 1, 42L, darker, 2, 200), 0);
            harness.processElement(new BandProbe("B", 2, 42L, darker, 2, 200), 0);
            harness.processElement(new BandProbe("A", 2, 42L, lighter, 1, 100), 0);
            harness.processElement(new BandProbe("P", 1, 42L, middle, 3, 300), 0);
            harness.processElement(new BandProbe("P", 2, 42L, middle, 3, 300), 0);
            assertThat(harness.extractOutputValues())
                    .extracting(BandLookupOperatorTest::shown)
                    .containsExactly("B:-", "B:-", "A:-", "P:2@200", "P:1@100");
        }
    }

    /** An answer as {@code pair:cluster@time}, or {@code pair:-} when none was found. */
    private static String shown(BandAnswer a) {
        return a.pairKey + ":" + (a.found ? a.cluster + "@" + a.clusterTime : "-");
    }

    private static byte[] filled(int level) {
        byte[] thumbnail = new byte[THUMBNAIL.length];
        java.util.Arrays.fill(thumbnail, (byte) level);
        return thumbnail;
    }

    /**
     * The verdict memo only saves thumbnail reads and comparisons: on probes as the job sends them
     * (every band of each pair, image ids from hash and thumbnail, near and far thumbnails behind
     * near hashes, images that come again), the answers are the same without it, with one slot
     * (always overwritten), and when the task is restored half-way (a new, empty memo).
     */
    @Test
    void theVerdictMemoNeverChangesAnAnswer() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        FilterConfig base = FilterConfig.builder().dedupRetention(Duration.ofMillis(2_000)).build();
        LshBands bands = LshBands.forDistance(base.nearDuplicates().maxDistance());
        byte[][] shapes = new byte[4][THUMBNAIL.length];
        long[] hashes = new long[shapes.length];
        for (int s = 0; s < shapes.length; s++) {
            for (int i = 0; i < THUMBNAIL.length; i++) {
                shapes[s][i] = (byte) (64 + random.nextInt(128));
            }
            hashes[s] = random.nextLong();
        }
        List<BandProbe> probes = new java.util.ArrayList<>();
        List<long[]> images = new java.util.ArrayList<>();
        for (int i = 0; i < 150; i++) {
            long hash;
            byte[] thumbnail;
            if (!images.isEmpty() && random.nextInt(5) == 0) {
                long[] again = images.get(random.nextInt(images.size()));
                hash = again[0];
                thumbnail = variant(shapes[(int) again[1]], (int) again[2], again[3]);
            } else {
                int shape = random.nextInt(shapes.length);
                int noise = new int[] {1, 4, 9}[random.nextInt(3)];
                long seed = random.nextLong();
                hash = hashes[shape];
                for (int flip = random.nextInt(6); flip > 0; flip--) {
                    hash ^= 1L << random.nextInt(64);
                }
                thumbnail = variant(shapes[shape], noise, seed);
                images.add(new long[] {hash, shape, noise, seed});
            }
            long imageId = NearDuplicateIndex.imageId(hash, thumbnail);
            for (long band : bands.keys(hash)) {
                probes.add(new BandProbe("p" + i, band, hash, thumbnail, imageId, 100 + i));
            }
        }
        List<String> none = answers(base, 0, probes, false, 0, 0);
        assertThat(none).anyMatch(a -> a.contains("@")).anyMatch(a -> a.endsWith(":-"));
        long defaultCache = NearDuplicateConfig.defaults().bucketCacheBytes();
        int thumbnails = ThumbnailCache.SLOTS;
        assertThat(answers(base, defaultCache, probes, false, NearCopyMemo.SLOTS, 0))
                .isEqualTo(none);
        assertThat(answers(base, defaultCache, probes, false, 1, 0)).isEqualTo(none);
        assertThat(answers(base, defaultCache, probes, true, NearCopyMemo.SLOTS, 0))
                .isEqualTo(none);
        // The thumbnails the task read last: alone, with the memo, with one slot, restored.
        assertThat(answers(base, defaultCache, probes, false, 0, thumbnails)).isEqualTo(none);
        assertThat(answers(base, defaultCache, probes, false, NearCopyMemo.SLOTS, thumbnails))
                .isEqualTo(none);
        assertThat(answers(base, defaultCache, probes, false, 0, 1)).isEqualTo(none);
        assertThat(answers(base, defaultCache, probes, true, NearCopyMemo.SLOTS, thumbnails))
                .isEqualTo(none);
    }

    /**
     * Candidates whose hashes and thumbnail sums allow a near copy but whose thumbnails do not,
     * older than the one that confirms and more than are picked one by one before the rest are
     * sorted: the answer is still the oldest cluster among those that confirm, the same with and
     * without the memo and the thumbnail cache.
     */
    @Test
    void theOldestConfirmingCandidateWinsBehindManyOlderFarOnes() throws Exception {
        List<BandProbe> probes = new java.util.ArrayList<>();
        int far = BandLookupOperator.PICKS_BEFORE_SORT + 3;
        // Each its own cluster, older than the rest, in an order that is not their age.
        for (int i = 0; i < far; i++) {
            int age = (i * 5) % far;
            probes.add(new BandProbe("F" + i, 1, 42L, checkered(10 + 10 * i), 10 + i, 100 + age));
        }
        // Both near P and Q, not near each other: N2 is the older cluster.
        probes.add(new BandProbe("N1", 1, 42L, filled(103), 500, 400));
        probes.add(new BandProbe("N2", 1, 42L, filled(97), 501, 300));
        probes.add(new BandProbe("P", 1, 42L, filled(100), 900, 900));
        probes.add(new BandProbe("Q", 1, 42L, filled(100), 901, 950));
        FilterConfig config = FilterConfig.defaults();
        long cache = NearDuplicateConfig.defaults().bucketCacheBytes();
        List<String> none = answers(config, cache, probes, false, 0, 0);
        assertThat(none.subList(0, far)).allMatch(a -> a.endsWith(":-"));
        assertThat(none.subList(far, none.size()))
                .containsExactly("N1:-", "N2:-", "P:501@300", "Q:501@300");
        assertThat(answers(config, cache, probes, false, NearCopyMemo.SLOTS, ThumbnailCache.SLOTS))
                .isEqualTo(none);
    }

    /**
     * Pixels alternately {@code contrast} above and below 100: the group sums of {@code
     * filled(100)} ({@link ThumbnailSums} cannot rule it out), {@code contrast} from it per byte.
     */
    private static byte[] checkered(int contrast) {
        byte[] thumbnail = new byte[THUMBNAIL.length];
        for (int i = 0; i < thumbnail.length; i++) {
            thumbnail[i] = (byte) (100 + ((i / 3) % 2 == 0 ? contrast : -contrast));
        }
        return thumbnail;
    }

    /** {@code shape} with each byte moved by up to {@code noise} levels, reproducibly. */
    private static byte[] variant(byte[] shape, int noise, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        byte[] out = new byte[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = (byte) ((shape[i] & 0xff) + random.nextInt(2 * noise + 1) - noise);
        }
        return out;
    }

    private static List<String> answers(
            FilterConfig base, long cacheBytes, List<BandProbe> probes, boolean restoreHalfWay)
            throws Exception {
        return answers(
                base, cacheBytes, probes, restoreHalfWay, NearCopyMemo.SLOTS, ThumbnailCache.SLOTS);
    }

    private static List<String> answers(
            FilterConfig base,
            long cacheBytes,
            List<BandProbe> probes,
            boolean restoreHalfWay,
            int memoSlots,
            int thumbnailSlots)
            throws Exception {
        FilterConfig config =
                base.toBuilder()
                        .nearDuplicates(
                                base.nearDuplicates().toBuilder()
                                        .bucketCacheBytes(cacheBytes)
                                        .build())
                        .build();
        List<String> out = new java.util.ArrayList<>();
        var harness = harness(config, null, memoSlots, thumbnailSlots);
        for (int i = 0; i < probes.size(); i++) {
            harness.setProcessingTime(10L * i);
            if (restoreHalfWay && i == probes.size() / 2) {
                var snapshot = harness.snapshot(1, 10L * i);
                collect(harness, out);
                harness.close();
                harness = harness(config, snapshot, memoSlots, thumbnailSlots);
                harness.setProcessingTime(10L * i);
            }
            harness.processElement(probes.get(i), 0);
        }
        collect(harness, out);
        harness.close();
        return out;
    }

    private static void collect(
            KeyedOneInputStreamOperatorTestHarness<Long, BandProbe, BandAnswer> harness,
            List<String> out) {
        for (BandAnswer a : harness.extractOutputValues()) {
            out.add(shown(a));
        }
    }

    /** A band task restored from {@code state}, or a fresh one when it is null. */
    private static KeyedOneInputStreamOperatorTestHarness<Long, BandProbe, BandAnswer> harness(
            FilterConfig config,
            org.apache.flink.runtime.checkpoint.OperatorSubtaskState state,
            int memoSlots,
            int thumbnailSlots)
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new BandLookupOperator(config, memoSlots, thumbnailSlots),
                        (BandProbe p) -> p.bandKeys[0],
                        Types.LONG);
        harness.setup(FilterTestRecords.serializer(BandAnswer.typeInfo()));
        if (state != null) {
            harness.initializeState(state);
        }
        harness.open();
        return harness;
    }

    private static KeyedOneInputStreamOperatorTestHarness<Long, BandProbe, BandAnswer> harness(
            FilterConfig config) throws Exception {
        return harness(config, null, NearCopyMemo.SLOTS, ThumbnailCache.SLOTS);
    }

    private static BandProbe probe(String pair, long phash, long imageId, long time) {
        return new BandProbe(pair, BAND, phash, THUMBNAIL, imageId, time);
    }
}
