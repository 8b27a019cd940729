package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.EvalSetIndex;
import io.streamlip.filter.curate.FilterTestRecords;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.filter.curate.PerceptualHash;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Evaluation-set decontamination against broadcast state, in Flink's broadcast test harness: pairs
 * that arrive before the set is complete wait (across a restart) and are checked when the end
 * marker arrives.
 */
class DecontaminateFunctionTest {
    /** The stage the function is given and names its refusals with (the filter job's). */
    private static final String STAGE = "filter";

    private static final AvroSerde<RawPair> RAW = AvroSerde.of(RawPair.class);

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
    void pairsBeforeTheEndMarkerWaitThroughARestartAndAreCheckedWhenItArrives() throws Exception {
        List<RawPair> pairs = new ArrayList<>();
        new SyntheticPairs(64).pairs(3, 17).forEachRemaining(pairs::add);
        RawPair evalPair = pairs.get(0);
        BufferedImage evalImage = Images.decode(PairCurator.bytes(evalPair.getImage()));
        List<EvalSetIndex.Entry> entries =
                List.of(
                        new EvalSetIndex.Entry(
                                PerceptualHash.of(evalImage),
                                PerceptualHash.thumbnail(evalImage),
                                "eval/images/0.png"));
        byte[] reencoded = Images.encode(FilterTestRecords.opaque(evalImage), "jpeg");
        RawPair early = withImage(evalPair, "early-eval-copy", reencoded);
        RawPair clean = pairs.get(1);
        RawPair late =
                withImage(evalPair, "late-eval-copy", PairCurator.bytes(evalPair.getImage()));
        NearDuplicateConfig config = NearDuplicateConfig.defaults();

        OperatorSubtaskState snapshot;
        try (var harness = harness(config, null)) {
            harness.processElement(envelope(early, 0), 1);
            harness.processElement(envelope(clean, 1), 2);
            harness.processBroadcastElement(EvalSetMessage.image(entries.get(0)), 3);
            assertThat(harness.extractOutputValues()).as("nothing passes unchecked").isEmpty();
            assertThat(rejects(harness)).isEmpty();
            snapshot = harness.snapshot(1, 4);
        }
        try (var harness = harness(config, snapshot)) {
            // The restarted broadcast source sends the set again, then the end marker.
            harness.processBroadcastElement(EvalSetMessage.image(entries.get(0)), 5);
            harness.processBroadcastElement(EvalSetMessage.end(entries.size()), 6);
            assertThat(harness.extractOutputValues())
                    .extracting(e -> e.pair.getPair().getId())
                    .containsExactly(clean.getId());
            harness.processElement(envelope(late, 2), 7);
            List<Reject> rejects = rejects(harness);
            assertThat(rejects)
                    .extracting(r -> r.getReason() + ":" + r.getId() + "@" + r.getOffset())
                    .containsExactly(
                            "eval_contamination:early-eval-copy@0",
                            "eval_contamination:late-eval-copy@2");
            assertThat(rejects.get(0).getDetail()).contains("eval/images/0.png");
            assertThat(rejects.get(0).getStage()).isEqualTo(STAGE);
        }
    }

    @Test
    void anEndMarkerThatDisagreesWithTheImagesFailsLoudly() throws Exception {
        try (var harness = harness(NearDuplicateConfig.defaults(), null)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> harness.processBroadcastElement(EvalSetMessage.end(2), 1))
                    .hasMessageContaining("announced 2 images but 0 arrived");
        }
    }

    static BroadcastOperatorTestHarness<CuratedEnvelope, EvalSetMessage, CuratedEnvelope> harness(
            NearDuplicateConfig config, OperatorSubtaskState restore) throws Exception {
        var harness =
                new BroadcastOperatorTestHarness<CuratedEnvelope, EvalSetMessage, CuratedEnvelope>(
                        new CoBroadcastWithNonKeyedOperator<>(
                                new DecontaminateFunction(config, STAGE),
                                List.of(
                                        DecontaminateFunction.IMAGES,
                                        DecontaminateFunction.STATUS)),
                        1,
                        1,
                        0);
        harness.setup(CuratedEnvelope.typeInfo().createSerializer(new SerializerConfigImpl()));
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    static CuratedEnvelope envelope(RawPair raw, long offset) {
        PairCurator.Curated curated =
                PairCurator.withoutEvalSets(
                                FilterConfig.builder().language(LanguageConfig.disabled()).build())
                        .curateWithThumbnail(raw, Instant.EPOCH)
                        .value();
        return new CuratedEnvelope(
                PairCurator.duplicateKey(curated.pair()),
                curated.pair(),
                curated.thumbnail(),
                FilterTestRecords.envelope(raw.getId(), RAW.encode(raw), offset));
    }

    static RawPair withImage(RawPair pair, String id, byte[] image) {
        return RawPair.newBuilder(pair).setId(id).setImage(ByteBuffer.wrap(image)).build();
    }

    static List<Reject> rejects(BroadcastOperatorTestHarness<?, ?, ?> harness) {
        var records = harness.getSideOutput(EnvelopeStage.rejects(STAGE));
        // The harness has no side-output queue until something was sent to it.
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }
}
