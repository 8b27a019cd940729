package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.FilterTestRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * One probe per pair and task: the bands are split by the task that owns them, and the verdict of
 * every pair is the one the band buckets give when each band is sent on its own, at any parallelism
 * and after a restore at another one.
 */
class ProbeGroupsTest {
    private static final int MAX_PARALLELISM = 128;
    private static final FilterConfig CONFIG =
            FilterConfig.builder().dedupRetention(Duration.ofMillis(800)).build();
    private static final LshBands BANDS =
            LshBands.forDistance(CONFIG.nearDuplicates().maxDistance());

    @Test
    void eachGroupHoldsTheBandsOfOneTaskAndTogetherAllOfThem() {
        SplittableRandom random = new SplittableRandom(3);
        for (int parallelism = 1; parallelism <= 4; parallelism++) {
            boolean spread = false;
            for (int i = 0; i < 200; i++) {
                long[] keys = BANDS.keys(random.nextLong());
                List<long[]> groups = ProbeGroups.byTask(keys, MAX_PARALLELISM, parallelism);
                List<Integer> tasks = new ArrayList<>();
                List<Long> all = new ArrayList<>();
                for (long[] group : groups) {
                    int task = task(group[0], parallelism);
                    for (long key : group) {
                        assertThat(task(key, parallelism)).isEqualTo(task);
                        all.add(key);
                    }
                    tasks.add(task);
                }
                assertThat(tasks).doesNotHaveDuplicates();
                assertThat(all).containsExactlyInAnyOrder(box(keys));
                spread |= groups.size() > 1;
            }
            // At parallelism 1 a pair is one probe; above, the 13 bands span several tasks.
            assertThat(spread).isEqualTo(parallelism > 1);
        }
    }

    @Test
    void groupedProbesGiveEveryPairTheVerdictOfOneProbePerBand() throws Exception {
        List<Image> images = images(160);
        Map<String, String> perBand = verdictsOneProbePerBand(images);
        assertThat(perBand.values()).anyMatch(v -> v.contains("@")).anyMatch(v -> v.equals("-"));
        for (int parallelism = 1; parallelism <= 4; parallelism++) {
            List<Task> tasks = tasks(parallelism, null, parallelism);
            Map<String, String> grouped = new TreeMap<>();
            for (int i = 0; i < images.size(); i++) {
                send(images.get(i), i, tasks, grouped);
            }
            closeAll(tasks);
            assertThat(grouped).as("parallelism %d", parallelism).isEqualTo(perBand);
        }
    }

    @Test
    void aRestoreAtAnotherParallelismKeepsEveryVerdict() throws Exception {
        List<Image> images = images(160);
        Map<String, String> perBand = verdictsOneProbePerBand(images);
        int[][] rescales = {{2, 3}, {3, 1}, {1, 4}};
        for (int[] rescale : rescales) {
            Map<String, String> grouped = new TreeMap<>();
            List<Task> before = tasks(rescale[0], null, rescale[0]);
            int half = images.size() / 2;
            for (int i = 0; i < half; i++) {
                send(images.get(i), i, before, grouped);
            }
            OperatorSubtaskState[] parts = new OperatorSubtaskState[before.size()];
            for (int t = 0; t < parts.length; t++) {
                parts[t] = before.get(t).harness.snapshot(1, 10L * half);
            }
            closeAll(before);
            OperatorSubtaskState all = AbstractStreamOperatorTestHarness.repackageState(parts);
            List<Task> after = new ArrayList<>();
            for (int t = 0; t < rescale[1]; t++) {
                after.add(
                        task(
                                rescale[1],
                                t,
                                AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                        all, MAX_PARALLELISM, rescale[0], rescale[1], t)));
            }
            for (int i = half; i < images.size(); i++) {
                send(images.get(i), i, after, grouped);
            }
            closeAll(after);
            assertThat(grouped).as("%d -> %d", rescale[0], rescale[1]).isEqualTo(perBand);
        }
    }

    @Test
    void aBandKeyOfAnotherTaskIsRefusedLoudly() throws Exception {
        List<Task> tasks = tasks(2, null, 2);
        long foreign = 0;
        while (task(foreign, 2) != 1) {
            foreign++;
        }
        long own = 0;
        while (task(own, 2) != 0) {
            own++;
        }
        BandProbe probe =
                new BandProbe(
                        "p",
                        new long[] {own, foreign},
                        42L,
                        new byte[768],
                        1,
                        100,
                        ThumbnailSums.of(new byte[768]));
        assertThatThrownBy(() -> tasks.get(0).harness.processElement(probe, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another parallelism");
        closeAll(tasks);
    }

    /**
     * The band index's state is what the one-band-per-probe function wrote (same uid, key type,
     * state names and layout): a RocksDB snapshot of an operator that writes it as that function
     * did, its timer service included, restores into the grouped operator at another parallelism,
     * and every image in it is found again.
     */
    @Test
    void aSnapshotOfTheFormerOneProbePerBandStageRestores() throws Exception {
        List<Image> images = images(40);
        OperatorSubtaskState[] parts = new OperatorSubtaskState[2];
        for (int t = 0; t < 2; t++) {
            var former =
                    new KeyedOneInputStreamOperatorTestHarness<>(
                            new KeyedProcessOperator<>(new FormerBandWriter()),
                            (BandProbe p) -> p.bandKeys[0],
                            Types.LONG,
                            MAX_PARALLELISM,
                            2,
                            t);
            former.setStateBackend(new EmbeddedRocksDBStateBackend());
            former.setup(FilterTestRecords.serializer(BandAnswer.typeInfo()));
            former.open();
            former.setProcessingTime(0);
            for (int i = 0; i < images.size(); i++) {
                Image image = images.get(i);
                for (long band : BANDS.keys(image.hash)) {
                    if (task(band, 2) == t) {
                        former.processElement(
                                new BandProbe(
                                        image.key,
                                        band,
                                        image.hash,
                                        image.thumbnail,
                                        image.id,
                                        100 + i),
                                0);
                    }
                }
            }
            parts[t] = former.snapshot(1, 0);
            former.close();
        }
        OperatorSubtaskState all = AbstractStreamOperatorTestHarness.repackageState(parts);
        List<Task> tasks = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            var harness =
                    new KeyedOneInputStreamOperatorTestHarness<>(
                            new BandLookupOperator(CONFIG),
                            (BandProbe p) -> p.bandKeys[0],
                            Types.LONG,
                            MAX_PARALLELISM,
                            3,
                            t);
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
            harness.setup(FilterTestRecords.serializer(BandAnswer.typeInfo()));
            harness.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            all, MAX_PARALLELISM, 2, 3, t));
            harness.open();
            tasks.add(new Task(harness));
        }
        Map<String, String> verdicts = new TreeMap<>();
        for (int i = 0; i < images.size(); i++) {
            Image image = images.get(i);
            // The same image under a new id: a near copy of what the former stage stored.
            send(new Image("again-" + i, image.hash, image.thumbnail, -1 - i), i, tasks, verdicts);
        }
        closeAll(tasks);
        assertThat(verdicts)
                .hasSize(images.size())
                .allSatisfy((key, verdict) -> assertThat(verdict).contains("@"));
    }

    /**
     * Writes a band bucket as the former one-band-per-probe {@code BandLookupFunction} did: the
     * same descriptors, one member chunk appended per new image, its thumbnail by image id.
     */
    private static final class FormerBandWriter
            extends KeyedProcessFunction<Long, BandProbe, BandAnswer> {
        private transient ListState<byte[]> bucket;
        private transient MapState<Long, byte[]> thumbnails;

        @Override
        public void open(OpenContext openContext) {
            bucket =
                    getRuntimeContext()
                            .getListState(
                                    new ListStateDescriptor<>(
                                            "band-bucket",
                                            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
            MapStateDescriptor<Long, byte[]> thumbnailDescriptor =
                    new MapStateDescriptor<>(
                            "band-thumbnails",
                            Types.LONG,
                            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
            thumbnailDescriptor.enableTimeToLive(NearDuplicateStages.ttl(CONFIG));
            thumbnails = getRuntimeContext().getMapState(thumbnailDescriptor);
        }

        @Override
        public void processElement(BandProbe probe, Context ctx, Collector<BandAnswer> out)
                throws Exception {
            if (thumbnails.contains(probe.imageId)) {
                return;
            }
            long now = ctx.timerService().currentProcessingTime();
            bucket.add(
                    BandMember.of(
                            probe.phash,
                            probe.imageId,
                            probe.thumbnailSums,
                            probe.imageId,
                            probe.time,
                            now));
            thumbnails.put(probe.imageId, probe.thumbnail);
        }
    }

    /** The verdicts as the job reached them before probes were grouped: one probe per band. */
    private static Map<String, String> verdictsOneProbePerBand(List<Image> images)
            throws Exception {
        Map<String, String> verdicts = new TreeMap<>();
        Task only = task(1, 0, null);
        for (int i = 0; i < images.size(); i++) {
            Image image = images.get(i);
            only.harness.setProcessingTime(10L * i);
            for (long band : BANDS.keys(image.hash)) {
                only.harness.processElement(
                        new BandProbe(
                                image.key,
                                new long[] {band},
                                image.hash,
                                image.thumbnail,
                                image.id,
                                100 + i,
                                ThumbnailSums.of(image.thumbnail)),
                        0);
            }
            join(only.harness.extractOutputValues(), verdicts);
            only.harness.getOutput().clear();
        }
        only.harness.close();
        return verdicts;
    }

    /** Sends image {@code i} as the job does: one probe per task its bands land on. */
    private static void send(Image image, int i, List<Task> tasks, Map<String, String> verdicts)
            throws Exception {
        for (Task task : tasks) {
            task.harness.setProcessingTime(10L * i);
        }
        List<long[]> groups =
                ProbeGroups.byTask(BANDS.keys(image.hash), MAX_PARALLELISM, tasks.size());
        for (long[] group : groups) {
            Task task = tasks.get(task(group[0], tasks.size()));
            task.harness.processElement(
                    new BandProbe(
                            image.key,
                            group,
                            image.hash,
                            image.thumbnail,
                            image.id,
                            100 + i,
                            ThumbnailSums.of(image.thumbnail)),
                    0);
        }
        List<BandAnswer> answers = new ArrayList<>();
        for (Task task : tasks) {
            answers.addAll(task.harness.extractOutputValues());
            task.harness.getOutput().clear();
        }
        assertThat(answers).hasSize(groups.size());
        join(answers, verdicts);
    }

    /**
     * What the join makes of a pair's answers: the oldest cluster found, or "-"; every band
     * answered once.
     */
    private static void join(List<BandAnswer> answers, Map<String, String> verdicts) {
        String key = answers.get(0).pairKey;
        int bands = 0;
        BandAnswer oldest = null;
        for (BandAnswer answer : answers) {
            assertThat(answer.pairKey).isEqualTo(key);
            bands += answer.bands;
            if (answer.found
                    && (oldest == null
                            || NearDuplicateStages.older(
                                    answer.cluster,
                                    answer.clusterTime,
                                    oldest.cluster,
                                    oldest.clusterTime))) {
                oldest = answer;
            }
        }
        assertThat(bands).isEqualTo(BANDS.bands());
        verdicts.put(key, oldest == null ? "-" : oldest.cluster + "@" + oldest.clusterTime);
    }

    private record Image(String key, long hash, byte[] thumbnail, long id) {}

    /**
     * Images as the job meets them: a few shapes with near hashes and noisy thumbnails (near and
     * far copies behind near hashes), some images again.
     */
    private static List<Image> images(int n) {
        SplittableRandom random = new SplittableRandom(17);
        byte[][] shapes = new byte[4][768];
        long[] hashes = new long[shapes.length];
        for (int s = 0; s < shapes.length; s++) {
            for (int i = 0; i < 768; i++) {
                shapes[s][i] = (byte) (64 + random.nextInt(128));
            }
            hashes[s] = random.nextLong();
        }
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Image image;
            if (!images.isEmpty() && random.nextInt(5) == 0) {
                Image again = images.get(random.nextInt(images.size()));
                image = new Image("p" + i, again.hash, again.thumbnail, again.id);
            } else {
                int shape = random.nextInt(shapes.length);
                int noise = new int[] {1, 4, 9}[random.nextInt(3)];
                long hash = hashes[shape];
                for (int flip = random.nextInt(6); flip > 0; flip--) {
                    hash ^= 1L << random.nextInt(64);
                }
                byte[] thumbnail = new byte[768];
                for (int b = 0; b < thumbnail.length; b++) {
                    thumbnail[b] =
                            (byte)
                                    ((shapes[shape][b] & 0xff)
                                            + random.nextInt(2 * noise + 1)
                                            - noise);
                }
                image =
                        new Image(
                                "p" + i,
                                hash,
                                thumbnail,
                                NearDuplicateIndex.imageId(hash, thumbnail));
            }
            images.add(image);
        }
        return images;
    }

    private static int task(long bandKey, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                bandKey, MAX_PARALLELISM, parallelism);
    }

    private static Long[] box(long[] keys) {
        Long[] boxed = new Long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            boxed[i] = keys[i];
        }
        return boxed;
    }

    private record Task(
            KeyedOneInputStreamOperatorTestHarness<Long, BandProbe, BandAnswer> harness) {}

    private static List<Task> tasks(int parallelism, OperatorSubtaskState state, int count)
            throws Exception {
        List<Task> tasks = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            tasks.add(task(parallelism, t, state));
        }
        return tasks;
    }

    private static Task task(int parallelism, int subtask, OperatorSubtaskState state)
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new BandLookupOperator(CONFIG),
                        (BandProbe p) -> p.bandKeys[0],
                        Types.LONG,
                        MAX_PARALLELISM,
                        parallelism,
                        subtask);
        harness.setup(FilterTestRecords.serializer(BandAnswer.typeInfo()));
        if (state != null) {
            harness.initializeState(state);
        }
        harness.open();
        return new Task(harness);
    }

    private static void closeAll(List<Task> tasks) throws Exception {
        for (Task task : tasks) {
            task.harness.close();
        }
    }
}
