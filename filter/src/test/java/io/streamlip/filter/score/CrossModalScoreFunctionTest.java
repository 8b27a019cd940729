package io.streamlip.filter.score;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The score operator in Flink's broadcast test harness, with a stand-in model. */
class CrossModalScoreFunctionTest {
    /** The stage the function is given and names its refusals with (the filter job's). */
    private static final String STAGE = "filter";

    /**
     * A "model" whose version is the update's checkpoint path: it scores captions containing
     * "match" 0.8 and others -0.4; a path named "missing" fails to load.
     */
    static final PairScorerFactory FACTORY =
            update -> {
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
                        float[] out = new float[pairs.size()];
                        for (int i = 0; i < out.length; i++) {
                            out[i] = pairs.get(i).getCaption().contains("match") ? 0.8f : -0.4f;
                        }
                        return out;
                    }

                    @Override
                    public void close() {}
                };
            };

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

    @Test
    void passesUnscoredWithoutAModelThenScoresAndRefusesWithTheNewest() throws Exception {
        CrossModalConfig config =
                CrossModalConfig.builder()
                        .thresholds(Map.of())
                        .defaultThreshold(0.0)
                        .topFraction(0)
                        .window(10)
                        .warmup(1)
                        .build();
        try (BroadcastOperatorTestHarness<CuratedPair, ModelUpdate, CuratedPair> harness =
                harness(new CrossModalScoreFunction(FACTORY, config, STAGE))) {
            harness.processElement(pair("a", "no model yet"), 1);
            harness.processBroadcastElement(update("missing", 10), 2); // fails to load
            harness.processElement(pair("b", "still none"), 3);
            assertThat(harness.extractOutputValues())
                    .allSatisfy(
                            p -> {
                                assertThat(p.getCrossmodalScore()).isNull();
                                assertThat(p.getModelVersion()).isNull();
                            })
                    .hasSize(2);

            harness.processBroadcastElement(update("run/step-1", 20), 4);
            harness.processElement(pair("c", "a match"), 5);
            harness.processElement(pair("d", "unrelated"), 6);
            harness.processBroadcastElement(update("run/step-0", 5), 7); // older: ignored
            harness.processElement(pair("e", "another match"), 8);

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
                            harness.getBroadcastState(CrossModalScoreFunction.MODEL_STATE)
                                    .get("current")
                                    .getModelVersion())
                    .isEqualTo("run/step-1");
        }
    }

    /** A harness with explicit (Avro) types: Flink cannot infer them from the function. */
    static BroadcastOperatorTestHarness<CuratedPair, ModelUpdate, CuratedPair> harness(
            CrossModalScoreFunction function) throws Exception {
        var harness =
                new BroadcastOperatorTestHarness<CuratedPair, ModelUpdate, CuratedPair>(
                        new CoBroadcastWithNonKeyedOperator<>(
                                function, List.of(CrossModalScoreFunction.MODEL_STATE)),
                        1,
                        1,
                        0);
        harness.setup(
                EnvelopeStage.avroType(CuratedPair.class)
                        .createSerializer(new SerializerConfigImpl()));
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
