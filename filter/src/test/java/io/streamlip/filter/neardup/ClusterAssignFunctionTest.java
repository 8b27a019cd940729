package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.FilterTestRecords;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The join of a pair with its band answers, in Flink's keyed two-input test harness: the pair
 * leaves once with the oldest cluster answered (or its own), whichever of pair and answers comes
 * last, and a join in progress at a checkpoint completes after a restore, at the same parallelism
 * and rescaled; pairs beyond the heap's bound wait in keyed state with the same outcome.
 */
class ClusterAssignFunctionTest {
    private static final int MAX_PARALLELISM = 128;
    private static final AvroSerde<RawPair> RAW = AvroSerde.of(RawPair.class);
    private static final FilterConfig CONFIG = FilterConfig.defaults();
    private static final int BANDS =
            LshBands.forDistance(CONFIG.nearDuplicates().maxDistance()).bands();

    @BeforeAll
    static void trustSchemaClasses() {
        DecontaminateFunctionTest.trustSchemaClasses();
    }

    @Test
    void thePairLeavesOnceWithTheOldestClusterWhicheverArrivesLast() throws Exception {
        List<CuratedEnvelope> pairs = pairs(2);
        CuratedEnvelope first = pairs.get(0);
        CuratedEnvelope second = pairs.get(1);
        ClusterAssignFunction function = new ClusterAssignFunction(CONFIG);
        try (var harness = harness(function, 1, 0, null)) {
            // The first pair before its answers, none of which found a near image.
            harness.processElement1(first, 0);
            for (int i = 0; i < BANDS; i++) {
                assertThat(harness.extractOutputValues()).isEmpty();
                harness.processElement2(new BandAnswer(key(first), false, 0, 0), 0);
            }
            // The second pair (record time 0) after its answers: two clusters older than its own
            // image were found, the oldest one (started at -9) wins.
            for (int i = 0; i < BANDS; i++) {
                BandAnswer answer =
                        switch (i) {
                            case 3 -> new BandAnswer(key(second), true, 77, -5);
                            case 7 -> new BandAnswer(key(second), true, 55, -9);
                            default -> new BandAnswer(key(second), false, 0, 0);
                        };
                harness.processElement2(answer, 0);
            }
            assertThat(harness.extractOutputValues()).hasSize(1);
            harness.processElement1(second, 0);

            List<ClusteredEnvelope> out = harness.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(out.get(0).envelope.pair.getPair().getId())
                    .isEqualTo(first.pair.getPair().getId());
            assertThat(out.get(0).cluster)
                    .isEqualTo(NearDuplicateIndex.imageId(first.pair.getPhash(), first.thumbnail));
            assertThat(out.get(1).envelope.pair.getPair().getId())
                    .isEqualTo(second.pair.getPair().getId());
            assertThat(out.get(1).cluster).isEqualTo(55);
            assertThat(function.waiting()).isZero();
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void joinsInProgressAtACheckpointCompleteAfterARestore() throws Exception {
        List<CuratedEnvelope> pairs = pairs(6);
        OperatorSubtaskState snapshot;
        ClusterAssignFunction before = new ClusterAssignFunction(CONFIG);
        try (var harness = harness(before, 1, 0, null)) {
            for (CuratedEnvelope pair : pairs) {
                // Even pairs arrive before the checkpoint, odd ones after; half the answers before.
                if (pairs.indexOf(pair) % 2 == 0) {
                    harness.processElement1(pair, 0);
                }
                for (int i = 0; i < BANDS / 2; i++) {
                    harness.processElement2(new BandAnswer(key(pair), i == 1, 40, -4), 0);
                }
            }
            assertThat(before.waiting()).isEqualTo(pairs.size());
            snapshot = harness.snapshot(1, 1);
        }
        ClusterAssignFunction after = new ClusterAssignFunction(CONFIG);
        try (var harness = harness(after, 1, 0, snapshot)) {
            assertThat(after.waiting()).isEqualTo(pairs.size());
            finish(harness, pairs);
            assertThat(harness.extractOutputValues())
                    .extracting(c -> c.envelope.pair.getPair().getId() + "@" + c.cluster)
                    .containsExactlyInAnyOrderElementsOf(
                            pairs.stream().map(p -> p.pair.getPair().getId() + "@40").toList());
            assertThat(after.waiting()).isZero();
        }
    }

    /**
     * State written before the image travelled once holds envelopes with their record's bytes; the
     * envelope's layout is unchanged (only {@code source.value} may now be null), so such a
     * snapshot restores beside new envelopes, and either kind still rejects with its bytes.
     */
    @Test
    void joinsOfEnvelopesWithAndWithoutTheirRecordsBytesRestoreAndRejectWithThem()
            throws Exception {
        List<CuratedEnvelope> pairs = new ArrayList<>();
        for (CuratedEnvelope carried : pairs(6)) {
            pairs.add(
                    pairs.size() % 3 == 0
                            ? carried
                            : CuratedEnvelope.curated(
                                    carried.duplicateKey,
                                    carried.pair,
                                    carried.thumbnail,
                                    carried.source,
                                    RAW));
        }
        assertThat(pairs).filteredOn(p -> p.source.value == null).hasSize(4);
        OperatorSubtaskState snapshot;
        try (var harness = harness(new ClusterAssignFunction(CONFIG), 1, 0, null)) {
            firstHalf(harness, pairs);
            snapshot = harness.snapshot(1, 1);
        }
        ClusterAssignFunction after = new ClusterAssignFunction(CONFIG);
        try (var harness = harness(after, 1, 0, snapshot)) {
            assertThat(after.waiting()).isEqualTo(pairs.size());
            finish(harness, pairs);
            List<ClusteredEnvelope> out = harness.extractOutputValues();
            assertThat(out).hasSize(pairs.size());
            for (ClusteredEnvelope joined : out) {
                RawPair raw = joined.envelope.pair.getPair();
                Reject reject =
                        joined.envelope.reject(
                                "filter", RejectReason.NEAR_DUPLICATE, "near copy", RAW);
                assertThat(PairCurator.bytes(reject.getPayload())).isEqualTo(RAW.encode(raw));
                assertThat(reject.getId()).isEqualTo(raw.getId());
                assertThat(reject.getOffset())
                        .isEqualTo(
                                pairs.stream()
                                        .filter(p -> p.pair.getPair().getId().equals(raw.getId()))
                                        .findFirst()
                                        .orElseThrow()
                                        .source
                                        .offset);
            }
        }
    }

    @Test
    void aRescaledJobResumesEachJoinInTheTaskThatOwnsItsKey() throws Exception {
        List<CuratedEnvelope> pairs = pairs(12);
        OperatorSubtaskState snapshot;
        try (var harness = harness(new ClusterAssignFunction(CONFIG), 1, 0, null)) {
            for (CuratedEnvelope pair : pairs) {
                harness.processElement1(pair, 0);
                harness.processElement2(new BandAnswer(key(pair), false, 0, 0), 0);
            }
            snapshot = harness.snapshot(1, 1);
        }
        List<String> done = new ArrayList<>();
        int waiting = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            snapshot, MAX_PARALLELISM, 1, 2, subtask);
            ClusterAssignFunction function = new ClusterAssignFunction(CONFIG);
            try (var harness = harness(function, 2, subtask, part)) {
                waiting += function.waiting();
                List<CuratedEnvelope> owned = new ArrayList<>();
                for (CuratedEnvelope pair : pairs) {
                    if (org.apache.flink.runtime.state.KeyGroupRangeAssignment
                                    .assignKeyToParallelOperator(key(pair), MAX_PARALLELISM, 2)
                            == subtask) {
                        owned.add(pair);
                    }
                }
                assertThat(function.waiting()).isEqualTo(owned.size());
                for (CuratedEnvelope pair : owned) {
                    for (int i = 1; i < BANDS; i++) {
                        harness.processElement2(new BandAnswer(key(pair), false, 0, 0), 0);
                    }
                }
                harness.extractOutputValues()
                        .forEach(c -> done.add(c.envelope.pair.getPair().getId()));
                assertThat(function.waiting()).isZero();
            }
        }
        assertThat(waiting).isEqualTo(pairs.size());
        assertThat(done)
                .containsExactlyInAnyOrderElementsOf(
                        pairs.stream().map(p -> p.pair.getPair().getId()).toList());
    }

    @Test
    void pairsBeyondTheHeapBoundWaitInKeyedStateWithTheSameVerdicts() throws Exception {
        List<CuratedEnvelope> pairs = pairs(8);
        List<String> unbounded = joinAll(new ClusterAssignFunction(CONFIG), pairs);
        ClusterAssignFunction bounded = new ClusterAssignFunction(bounded(pairs, 3));
        List<String> overflowed = joinAll(bounded, pairs);

        assertThat(bounded.pairsToState()).isEqualTo(pairs.size() - 3);
        assertThat(bounded.waitingInState()).isZero();
        assertThat(bounded.peakBytes())
                .isLessThanOrEqualTo(bounded(pairs, 3).nearDuplicates().maxPendingBytes());
        assertThat(overflowed).containsExactlyElementsOf(unbounded).hasSize(pairs.size());
    }

    @Test
    void aBoundOfZeroKeepsEveryWaitingPairInKeyedState() throws Exception {
        List<CuratedEnvelope> pairs = pairs(3);
        FilterConfig zero =
                CONFIG.toBuilder()
                        .nearDuplicates(
                                CONFIG.nearDuplicates().toBuilder().maxPendingBytes(0).build())
                        .build();
        ClusterAssignFunction function = new ClusterAssignFunction(zero);
        List<String> out = joinAll(function, pairs);
        assertThat(function.pairsToState()).isEqualTo(pairs.size());
        assertThat(out)
                .containsExactlyElementsOf(joinAll(new ClusterAssignFunction(CONFIG), pairs));
    }

    @Test
    void joinsWaitingOnTheHeapAndInKeyedStateCompleteAfterARestore() throws Exception {
        List<CuratedEnvelope> pairs = pairs(8);
        FilterConfig config = bounded(pairs, 2);
        OperatorSubtaskState snapshot;
        ClusterAssignFunction before = new ClusterAssignFunction(config);
        try (var harness = harness(before, 1, 0, null)) {
            firstHalf(harness, pairs);
            assertThat(before.waiting()).isEqualTo(pairs.size());
            assertThat(before.waitingInState()).isEqualTo(pairs.size() / 2 - 2);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(pairs.size() / 2 - 2);
            snapshot = harness.snapshot(1, 1);
        }
        ClusterAssignFunction after = new ClusterAssignFunction(config);
        try (var harness = harness(after, 1, 0, snapshot)) {
            assertThat(after.waiting()).isEqualTo(pairs.size());
            assertThat(after.waitingInState()).isEqualTo(pairs.size() / 2 - 2);
            finish(harness, pairs);
            assertThat(harness.extractOutputValues())
                    .extracting(c -> c.envelope.pair.getPair().getId() + "@" + c.cluster)
                    .containsExactlyInAnyOrderElementsOf(
                            pairs.stream().map(p -> p.pair.getPair().getId() + "@40").toList());
            assertThat(after.waiting()).isZero();
            assertThat(after.waitingInState()).isZero();
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aRescaledJobResumesJoinsFromTheHeapAndFromKeyedState() throws Exception {
        List<CuratedEnvelope> pairs = pairs(12);
        FilterConfig config = bounded(pairs, 4);
        OperatorSubtaskState snapshot;
        ClusterAssignFunction before = new ClusterAssignFunction(config);
        try (var harness = harness(before, 1, 0, null)) {
            for (CuratedEnvelope pair : pairs) {
                harness.processElement2(new BandAnswer(key(pair), false, 0, 0), 0);
            }
            for (CuratedEnvelope pair : pairs) {
                harness.processElement1(pair, 0);
            }
            assertThat(before.waitingInState()).isEqualTo(pairs.size() - 4);
            snapshot = harness.snapshot(1, 1);
        }
        List<String> done = new ArrayList<>();
        int inState = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            snapshot, MAX_PARALLELISM, 1, 2, subtask);
            ClusterAssignFunction function = new ClusterAssignFunction(config);
            try (var harness = harness(function, 2, subtask, part)) {
                inState += function.waitingInState();
                assertThat(harness.numKeyedStateEntries()).isEqualTo(function.waitingInState());
                for (CuratedEnvelope pair : pairs) {
                    if (org.apache.flink.runtime.state.KeyGroupRangeAssignment
                                    .assignKeyToParallelOperator(key(pair), MAX_PARALLELISM, 2)
                            == subtask) {
                        for (int i = 1; i < BANDS; i++) {
                            harness.processElement2(new BandAnswer(key(pair), false, 0, 0), 0);
                        }
                    }
                }
                harness.extractOutputValues()
                        .forEach(c -> done.add(c.envelope.pair.getPair().getId()));
                assertThat(function.waiting()).isZero();
                assertThat(harness.numKeyedStateEntries()).isZero();
            }
        }
        assertThat(inState).isEqualTo(pairs.size() - 4);
        assertThat(done)
                .containsExactlyInAnyOrderElementsOf(
                        pairs.stream().map(p -> p.pair.getPair().getId()).toList());
    }

    /**
     * Every pair waits at once (some answers first, the pair, then the rest; every third answer
     * found a cluster), and what left: pair id and cluster, in output order.
     */
    private static List<String> joinAll(ClusterAssignFunction function, List<CuratedEnvelope> pairs)
            throws Exception {
        try (var harness = harness(function, 1, 0, null)) {
            for (CuratedEnvelope pair : pairs) {
                int n = pairs.indexOf(pair);
                for (int i = 0; i < (n % 2 == 0 ? 1 : BANDS - 1); i++) {
                    harness.processElement2(answer(pair, n, i), 0);
                }
            }
            for (CuratedEnvelope pair : pairs) {
                harness.processElement1(pair, 0);
            }
            assertThat(harness.extractOutputValues()).isEmpty();
            for (CuratedEnvelope pair : pairs) {
                int n = pairs.indexOf(pair);
                for (int i = n % 2 == 0 ? 1 : BANDS - 1; i < BANDS; i++) {
                    harness.processElement2(answer(pair, n, i), 0);
                }
            }
            assertThat(function.waiting()).isZero();
            assertThat(harness.numKeyedStateEntries()).isZero();
            return harness.extractOutputValues().stream()
                    .map(c -> c.envelope.pair.getPair().getId() + "@" + c.cluster)
                    .toList();
        }
    }

    private static BandAnswer answer(CuratedEnvelope pair, int n, int band) {
        boolean found = (n + band) % 3 == 0;
        return new BandAnswer(key(pair), found, 100 + band, found ? -10 - n - band : 0);
    }

    /** Half the answers for every pair, then the even pairs. */
    private static void firstHalf(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, CuratedEnvelope, BandAnswer, ClusteredEnvelope>
                    harness,
            List<CuratedEnvelope> pairs)
            throws Exception {
        for (CuratedEnvelope pair : pairs) {
            for (int i = 0; i < BANDS / 2; i++) {
                harness.processElement2(new BandAnswer(key(pair), i == 1, 40, -4), 0);
            }
        }
        for (CuratedEnvelope pair : pairs) {
            if (pairs.indexOf(pair) % 2 == 0) {
                harness.processElement1(pair, 0);
            }
        }
    }

    /**
     * A heap bound that holds the first {@code onHeap} of {@code pairs} waiting and not one more.
     */
    private static FilterConfig bounded(List<CuratedEnvelope> pairs, int onHeap) {
        long largest = 0;
        long smallest = Long.MAX_VALUE;
        for (CuratedEnvelope pair : pairs) {
            largest = Math.max(largest, PendingJoin.estimatedBytes(pair));
            smallest = Math.min(smallest, PendingJoin.estimatedBytes(pair));
        }
        // onHeap of the largest fit; one more of the smallest does not.
        assertThat(largest * onHeap).isLessThan(smallest * (onHeap + 1));
        return CONFIG.toBuilder()
                .nearDuplicates(
                        NearDuplicateConfig.builder().maxPendingBytes(largest * onHeap).build())
                .build();
    }

    /** The answers the pairs still miss after the first half, and the odd pairs themselves. */
    private static void finish(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, CuratedEnvelope, BandAnswer, ClusteredEnvelope>
                    harness,
            List<CuratedEnvelope> pairs)
            throws Exception {
        for (CuratedEnvelope pair : pairs) {
            for (int i = BANDS / 2; i < BANDS; i++) {
                harness.processElement2(new BandAnswer(key(pair), false, 0, 0), 0);
            }
            if (pairs.indexOf(pair) % 2 == 1) {
                harness.processElement1(pair, 0);
            }
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, CuratedEnvelope, BandAnswer, ClusteredEnvelope>
            harness(
                    ClusterAssignFunction function,
                    int parallelism,
                    int subtask,
                    OperatorSubtaskState restore)
                    throws Exception {
        var harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(function),
                        NearDuplicateStages::pairKey,
                        (BandAnswer answer) -> answer.pairKey,
                        Types.STRING,
                        MAX_PARALLELISM,
                        parallelism,
                        subtask);
        harness.setup(FilterTestRecords.serializer(ClusteredEnvelope.typeInfo()));
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    private static List<CuratedEnvelope> pairs(int n) {
        List<CuratedEnvelope> out = new ArrayList<>();
        long offset = 0;
        for (var it = new SyntheticPairs(32).pairs(n, 5); it.hasNext(); ) {
            RawPair raw = it.next();
            out.add(DecontaminateFunctionTest.envelope(raw, offset++));
        }
        return out;
    }

    private static String key(CuratedEnvelope pair) {
        return NearDuplicateStages.pairKey(pair);
    }
}
