package io.streamlip.filter.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.score.PairScorer;
import io.streamlip.platform.score.PairScorerFactory;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The score operator in Flink's two-input test harness, with a stand-in model: what it decides, and
 * its micro-batches (order, the model version of each pair, flushing at the end of the input, at a
 * checkpoint barrier and when a new model arrives).
 */
class CrossModalScoreOperatorTest {
    /** The stage the function is given and names its refusals with (the filter job's). */
    private static final String STAGE = "filter";

    /**
     * A "model" whose version is the update's checkpoint path: it scores captions containing
     * "match" 0.8 and others -0.4, and fails on a caption containing "broken"; a path named
     * "missing" fails to load.
     */
    static final PairScorerFactory FACTORY = new CountingFactory(new ArrayList<>());

    /** {@link #FACTORY}'s model, counting its calls (batch sizes) in {@code calls}. */
    record CountingFactory(List<Integer> calls) implements PairScorerFactory {
        @Override
        public PairScorer load(ModelUpdate update) throws Exception {
            String version = update.getCheckpointPath();
            if (version.equals("missing")) {
                throw new java.io.FileNotFoundException("no checkpoint at " + version);
            }
            return new PairScorer() {
                @Override
                public String modelVersion() {
                    return version;
                }

                @Override
                public float[] score(List<CuratedPair> pairs) {
                    calls.add(pairs.size());
                    float[] out = new float[pairs.size()];
                    for (int i = 0; i < out.length; i++) {
                        String caption = pairs.get(i).getCaption();
                        if (caption.contains("broken")) {
                            throw new IllegalArgumentException("cannot decode " + caption);
                        }
                        out[i] = caption.contains("match") ? 0.8f : -0.4f;
                    }
                    return out;
                }

                @Override
                public void close() {}
            };
        }
    }

    @BeforeAll
    static void trustSchemaClasses() {
        // Flink's Avro serializer (the harness copies records with it) instantiates only trusted
        // classes; in a job, decoding the first raw pair trusts them (AvroSerde).
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (!current.isTrusted(CuratedPair.class)) {
            ClassSecurityValidator.setGlobal(
                    ClassSecurityValidator.composite(
                            current, c -> c.getPackageName().equals("io.streamlip.schemas")));
        }
    }

    /** Batch size 1 scores each pair as it comes; 32 holds them until the input ends. */
    @ParameterizedTest
    @ValueSource(ints = {1, 32})
    void passesUnscoredWithoutAModelThenScoresAndRefusesWithTheNewest(int batchSize)
            throws Exception {
        CrossModalConfig config =
                CrossModalConfig.builder()
                        .thresholds(Map.of())
                        .defaultThreshold(0.0)
                        .topFraction(0)
                        .window(10)
                        .warmup(1)
                        .batchSize(batchSize)
                        .build();
        try (TwoInputStreamOperatorTestHarness<CuratedPair, ModelUpdate, CuratedPair> harness =
                harness(new CrossModalScoreOperator(FACTORY, config, STAGE))) {
            harness.processElement1(pair("a", "no model yet"), 1);
            harness.processElement2(update("missing", 10), 2); // fails to load
            harness.processElement1(pair("b", "still none"), 3);
            assertThat(harness.extractOutputValues())
                    .allSatisfy(
                            p -> {
                                assertThat(p.getCrossmodalScore()).isNull();
                                assertThat(p.getModelVersion()).isNull();
                            })
                    .hasSize(2);

            harness.processElement2(update("run/step-1", 20), 4);
            harness.processElement1(pair("c", "a match"), 5);
            harness.processElement1(pair("d", "unrelated"), 6);
            harness.processElement2(update("run/step-0", 5), 7); // older: ignored
            harness.processElement1(pair("e", "another match"), 8);
            harness.endInput1();

            List<CuratedPair> out = harness.extractOutputValues();
            assertThat(out)
                    .extracting(p -> p.getPair().getId())
                    .containsExactly("a", "b", "c", "e");
            assertThat(out.subList(2, 4))
                    .allSatisfy(
                            p -> {
                                assertThat(p.getCrossmodalScore()).isEqualTo(0.8f);
                                assertThat(p.getModelVersion()).isEqualTo("run/step-1");
                            });
            List<Reject> rejects =
                    harness.getSideOutput(EnvelopeStage.rejects(STAGE)).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(rejects).hasSize(1);
            Reject reject = rejects.get(0);
            assertThat(reject.getId()).isEqualTo("d");
            assertThat(reject.getStage()).isEqualTo("filter");
            assertThat(reject.getReason()).isEqualTo("low_crossmodal_score");
            assertThat(reject.getDetail()).contains("-0.4000").contains("run/step-1");
            assertThat(reject.getModelVersion()).isEqualTo("run/step-1");
            assertThat(AvroSerde.of(RawPair.class).decode(bytes(reject.getPayload())).getId())
                    .isEqualTo("d");
            assertThat(
                            harness.getOperator()
                                    .getOperatorStateBackend()
                                    .getBroadcastState(CrossModalScoreOperator.MODEL_STATE)
                                    .get("current")
                                    .getModelVersion())
                    .isEqualTo("run/step-1");
        }
    }

    @Test
    void scoresFullBatchesInOneCallInOrderWithTheModelEachPairArrivedUnder() throws Exception {
        CountingFactory factory = new CountingFactory(new ArrayList<>());
        CrossModalConfig config = keepMatches().batchSize(4).batchTimeoutMillis(50).build();
        try (var harness = harness(new CrossModalScoreOperator(factory, config, STAGE))) {
            harness.setProcessingTime(1_000);
            harness.processElement2(update("run/step-1", 20), 0);
            for (int i = 0; i < 3; i++) {
                harness.processElement1(pair("p" + i, i == 1 ? "unrelated" : "match"), 100 + i);
            }
            assertThat(harness.extractOutputValues()).isEmpty();
            // A newer model: the three waiting pairs are judged by the one they arrived under.
            harness.processElement2(update("run/step-2", 30), 0);
            for (int i = 3; i < 8; i++) {
                harness.processElement1(pair("p" + i, "match " + i), 100 + i);
            }
            // p3..p6 filled a batch; p7 waits for its timeout.
            assertThat(factory.calls()).containsExactly(3, 4);
            harness.setProcessingTime(1_049);
            assertThat(factory.calls()).containsExactly(3, 4);
            harness.setProcessingTime(1_050);
            assertThat(factory.calls()).containsExactly(3, 4, 1);

            List<StreamRecord<? extends CuratedPair>> out = harness.extractOutputStreamRecords();
            assertThat(out)
                    .extracting(r -> r.getValue().getPair().getId())
                    .containsExactly("p0", "p2", "p3", "p4", "p5", "p6", "p7");
            assertThat(out)
                    .extracting(r -> r.getValue().getModelVersion())
                    .containsExactly(
                            "run/step-1",
                            "run/step-1",
                            "run/step-2",
                            "run/step-2",
                            "run/step-2",
                            "run/step-2",
                            "run/step-2");
            // Each pair keeps its own timestamp.
            assertThat(out)
                    .extracting(StreamRecord::getTimestamp)
                    .containsExactly(100L, 102L, 103L, 104L, 105L, 106L, 107L);
            List<StreamRecord<Reject>> rejects =
                    new ArrayList<>(harness.getSideOutput(EnvelopeStage.rejects(STAGE)));
            assertThat(rejects).hasSize(1);
            assertThat(rejects.get(0).getValue().getId()).isEqualTo("p1");
            assertThat(rejects.get(0).getValue().getModelVersion()).isEqualTo("run/step-1");
            assertThat(rejects.get(0).getTimestamp()).isEqualTo(101L);
        }
    }

    @Test
    void aPairThatCannotBeScoredIsRefusedAloneAndTheRestOfItsBatchIsScored() throws Exception {
        CountingFactory factory = new CountingFactory(new ArrayList<>());
        CrossModalConfig config = keepMatches().batchSize(3).build();
        try (var harness = harness(new CrossModalScoreOperator(factory, config, STAGE))) {
            harness.processElement2(update("run/step-1", 20), 0);
            harness.processElement1(pair("a", "match"), 1);
            harness.processElement1(pair("b", "broken image"), 2);
            harness.processElement1(pair("c", "match too"), 3);
            assertThat(harness.extractOutputValues())
                    .extracting(p -> p.getPair().getId())
                    .containsExactly("a", "c");
            assertThat(harness.extractOutputValues())
                    .allSatisfy(p -> assertThat(p.getCrossmodalScore()).isEqualTo(0.8f));
            Reject failed = harness.getSideOutput(EnvelopeStage.rejects(STAGE)).peek().getValue();
            assertThat(failed.getId()).isEqualTo("b");
            assertThat(failed.getReason()).isEqualTo("internal_error");
            assertThat(failed.getDetail()).contains("cannot decode broken image");
            assertThat(failed.getModelVersion()).isEqualTo("run/step-1");
            // The batch of three failed, then each pair alone.
            assertThat(factory.calls()).containsExactly(3, 1, 1, 1);
        }
    }

    @Test
    void theEndOfTheInputScoresThePartialBatch() throws Exception {
        CrossModalConfig config = keepMatches().batchSize(32).batchTimeoutMillis(10_000).build();
        try (var harness = harness(new CrossModalScoreOperator(FACTORY, config, STAGE))) {
            harness.processElement2(update("run/step-1", 20), 0);
            for (int i = 0; i < 5; i++) {
                harness.processElement1(pair("p" + i, "match"), i);
            }
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.endInput1();
            assertThat(harness.extractOutputValues())
                    .extracting(p -> p.getPair().getId())
                    .containsExactly("p0", "p1", "p2", "p3", "p4");
        }
    }

    @Test
    void updatesThatNoPairArrivesUnderAreNeverLoadedAndTheNextPairLoadsTheNewest()
            throws Exception {
        CountingFactory factory = new CountingFactory(new ArrayList<>());
        List<String> loaded = new ArrayList<>();
        PairScorerFactory counted =
                update -> {
                    loaded.add(update.getCheckpointPath());
                    return factory.load(update);
                };
        CrossModalConfig config = keepMatches().batchSize(1).build();
        try (var harness = harness(new CrossModalScoreOperator(counted, config, STAGE))) {
            // Curation idle: the trainer checkpoints three times and no pair comes.
            harness.processElement2(update("run/step-1", 10), 0);
            harness.processElement2(update("run/step-2", 20), 1);
            harness.processElement2(update("run/step-3", 30), 2);
            assertThat(loaded).isEmpty();

            harness.processElement1(pair("a", "match"), 3);
            harness.processElement1(pair("b", "match"), 4);
            assertThat(loaded).containsExactly("run/step-3");
            harness.processElement2(update("run/step-4", 40), 5);
            harness.processElement1(pair("c", "match"), 6);

            assertThat(loaded).containsExactly("run/step-3", "run/step-4");
            assertThat(harness.extractOutputValues())
                    .extracting(CuratedPair::getModelVersion)
                    .containsExactly("run/step-3", "run/step-3", "run/step-4");
        }
    }

    @Test
    void aCheckpointBarrierFindsNothingBufferedAndTheModelIsReloadedAfterARestore()
            throws Exception {
        CountingFactory factory = new CountingFactory(new ArrayList<>());
        AtomicInteger loads = new AtomicInteger();
        PairScorerFactory counted =
                update -> {
                    loads.incrementAndGet();
                    return factory.load(update);
                };
        CrossModalConfig config = keepMatches().batchSize(32).batchTimeoutMillis(10_000).build();
        OperatorSubtaskState snapshot;
        try (var harness = harness(new CrossModalScoreOperator(counted, config, STAGE))) {
            harness.processElement2(update("run/step-1", 20), 0);
            for (int i = 0; i < 3; i++) {
                harness.processElement1(pair("p" + i, "match"), i);
            }
            // Before the barrier goes downstream, the buffered pairs are scored and emitted: they
            // belong to this checkpoint, and the snapshot holds no pair.
            harness.prepareSnapshotPreBarrier(1);
            assertThat(harness.extractOutputValues())
                    .extracting(p -> p.getPair().getId())
                    .containsExactly("p0", "p1", "p2");
            snapshot = harness.snapshot(1, 1);
            // A snapshot taken with pairs still buffered would lose them: refused.
            harness.processElement1(pair("p3", "match"), 3);
            assertThatThrownBy(() -> harness.snapshot(2, 2))
                    .hasRootCauseMessage("1 cross-modal pairs still buffered at checkpoint");
        }
        assertThat(loads).hasValue(1);
        try (var restored =
                harness(new CrossModalScoreOperator(counted, config, STAGE), snapshot)) {
            restored.processElement1(pair("q", "match"), 10);
            restored.endInput1();
            assertThat(loads).hasValue(2);
            assertThat(restored.extractOutputValues())
                    .singleElement()
                    .satisfies(p -> assertThat(p.getModelVersion()).isEqualTo("run/step-1"));
        }
    }

    @Test
    void batchSettingsAreChecked() {
        assertThatThrownBy(() -> CrossModalConfig.builder().batchSize(0).build())
                .hasMessageContaining("batchSize must be in [1, 1024], got 0");
        assertThatThrownBy(() -> CrossModalConfig.builder().batchSize(1025).build())
                .hasMessageContaining("batchSize must be in [1, 1024]");
        assertThatThrownBy(() -> CrossModalConfig.builder().batchTimeoutMillis(0).build())
                .hasMessageContaining("batchTimeoutMillis must be in [1, 10000], got 0");
        assertThat(CrossModalConfig.defaults().batchSize()).isEqualTo(32);
        assertThat(CrossModalConfig.defaults().batchTimeoutMillis()).isEqualTo(50);
    }

    /** Keeps what scores at least 0 (the "match" captions), with no top fraction. */
    private static CrossModalConfig.Builder keepMatches() {
        return CrossModalConfig.builder().defaultThreshold(0.0).topFraction(0).window(10).warmup(1);
    }

    static TwoInputStreamOperatorTestHarness<CuratedPair, ModelUpdate, CuratedPair> harness(
            CrossModalScoreOperator operator) throws Exception {
        return harness(operator, null);
    }

    /**
     * A harness with explicit (Avro) types, Flink cannot infer them; restored from {@code state}
     * when given.
     */
    static TwoInputStreamOperatorTestHarness<CuratedPair, ModelUpdate, CuratedPair> harness(
            CrossModalScoreOperator operator, OperatorSubtaskState state) throws Exception {
        var harness = new TwoInputStreamOperatorTestHarness<>(operator, 1, 1, 0);
        harness.setup(
                EnvelopeStage.avroType(CuratedPair.class)
                        .createSerializer(new SerializerConfigImpl()));
        if (state != null) {
            harness.initializeState(state);
        }
        harness.open();
        return harness;
    }

    static CuratedPair pair(String id, String caption) {
        RawPair raw =
                RawPair.newBuilder()
                        .setId(id)
                        .setImage(ByteBuffer.wrap(new byte[] {1}))
                        .setAltText(caption)
                        .setSource("test")
                        .setCrawlTime(Instant.EPOCH)
                        .build();
        return CuratedPair.newBuilder()
                .setPair(raw)
                .setCaption(caption)
                .setLang("en")
                .setImageFormat("png")
                .setImageWidth(1)
                .setImageHeight(1)
                .setImageSha256("00")
                .setCuratedTime(Instant.EPOCH)
                .build();
    }

    static ModelUpdate update(String path, long createdSeconds) {
        return ModelUpdate.newBuilder()
                .setModelVersion(path)
                .setStep(createdSeconds)
                .setExamplesSeen(0)
                .setCheckpointPath(path)
                .setCreatedTime(Instant.ofEpochSecond(createdSeconds))
                .build();
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
