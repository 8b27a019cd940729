package io.streamlip.filter;

import static io.streamlip.filter.curate.FilterTestRecords.envelope;
import static io.streamlip.filter.curate.FilterTestRecords.serializer;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The filter's Flink functions in Flink's operator test harness (no cluster). */
class FilterFunctionsTest {
    private static final AvroSerde<RawPair> RAW = AvroSerde.of(RawPair.class);

    @Test
    void curateEmitsAcceptedPairsAndRoutesEveryRefusalToTheSideOutput() throws Exception {
        RawPair good = new SyntheticPairs(32).pairs(1, 4).next();
        RawPair emptyCaption = RawPair.newBuilder(good).setId("empty").setAltText(" ").build();
        try (OneInputStreamOperatorTestHarness<KafkaEnvelope, CuratedEnvelope> harness =
                harness(new CurateFunction(FilterConfig.defaults()), CuratedEnvelope.typeInfo())) {
            harness.processElement(envelope(good.getId(), RAW.encode(good), 0), 0);
            harness.processElement(envelope("empty", RAW.encode(emptyCaption), 1), 0);
            harness.processElement(envelope("junk", "junk".getBytes(StandardCharsets.UTF_8), 2), 0);

            List<CuratedEnvelope> out = harness.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).pair.getPair()).isEqualTo(good);
            assertThat(out.get(0).duplicateKey)
                    .isEqualTo(PairCurator.duplicateKey(out.get(0).pair));
            assertThat(out.get(0).source.offset).isZero();
            assertThat(rejects(harness))
                    .extracting(r -> r.getReason() + ":" + r.getId() + "@" + r.getOffset())
                    .containsExactly("caption_empty:empty@1", "not_avro:null@2");
        }
    }

    @Test
    void anExceptionOnOneRecordBecomesAnInternalErrorRejectAndTheNextRecordPasses()
            throws Exception {
        RawPair boom = new SyntheticPairs(32).pairs(2, 4).next();
        RawPair fine = RawPair.newBuilder(boom).setId("fine").build();
        EnvelopeStage<RawPair, String> stage =
                new EnvelopeStage<>("test", RawPair.class) {
                    @Override
                    protected Verdict<String> apply(RawPair record, KafkaEnvelope source) {
                        if (record.getId().equals(boom.getId())) {
                            throw new IllegalStateException("bug in a filter");
                        }
                        return Verdict.accept(record.getId());
                    }

                    @Override
                    protected String idOf(RawPair record) {
                        return record.getId();
                    }
                };
        try (OneInputStreamOperatorTestHarness<KafkaEnvelope, String> harness =
                harness(stage, Types.STRING)) {
            harness.processElement(envelope(boom.getId(), RAW.encode(boom), 5), 0);
            harness.processElement(envelope("fine", RAW.encode(fine), 6), 0);
            assertThat(harness.extractOutputValues()).containsExactly("fine");
            List<Reject> rejects =
                    harness.getSideOutput(EnvelopeStage.rejects("test")).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(rejects).hasSize(1);
            assertThat(rejects.get(0).getReason()).isEqualTo("internal_error");
            assertThat(rejects.get(0).getStage()).isEqualTo("test");
            assertThat(rejects.get(0).getId()).isEqualTo(boom.getId());
            assertThat(rejects.get(0).getDetail()).contains("bug in a filter");
            assertThat(RAW.decode(PairCurator.bytes(rejects.get(0).getPayload()))).isEqualTo(boom);
        }
    }

    @Test
    void deduplicateLetsTheFirstOfEachKeyThroughAndNamesItInTheRejects() throws Exception {
        PairCurator curator = new PairCurator(FilterConfig.defaults());
        RawPair a = new SyntheticPairs(32).pairs(1, 8).next();
        RawPair again = RawPair.newBuilder(a).setId("again").build();
        RawPair otherCaption =
                RawPair.newBuilder(a).setId("other").setAltText("Kreis").setLangHint("de").build();
        try (var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new DeduplicateFunction(FilterConfig.defaults())),
                        (CuratedEnvelope c) -> c.duplicateKey,
                        Types.STRING)) {
            // Explicit serializers: Flink's reflection cannot analyse our Avro classes.
            harness.setup(serializer(CuratedEnvelope.typeInfo()));
            harness.open();
            long offset = 0;
            for (RawPair raw : List.of(a, again, otherCaption, again)) {
                PairCurator.Curated curated =
                        curator.curateWithThumbnail(raw, java.time.Instant.EPOCH).value();
                CuratedPair pair = curated.pair();
                harness.processElement(
                        new CuratedEnvelope(
                                PairCurator.duplicateKey(pair),
                                pair,
                                curated.thumbnail(),
                                envelope(raw.getId(), RAW.encode(raw), offset++)),
                        0);
            }
            assertThat(harness.extractOutputValues())
                    .extracting(c -> c.pair.getPair().getId())
                    .containsExactly(a.getId(), "other");
            List<Reject> rejects =
                    harness.getSideOutput(EnvelopeStage.rejects(FilterJob.STAGE)).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(rejects)
                    .extracting(r -> r.getReason() + ":" + r.getId() + "@" + r.getOffset())
                    .containsExactly("duplicate:again@1", "duplicate:again@3");
            assertThat(rejects.get(0).getDetail()).endsWith("caption as " + a.getId());
        }
    }

    /** A harness with an explicit output serializer (reflection cannot analyse Avro fields). */
    static <OUT> OneInputStreamOperatorTestHarness<KafkaEnvelope, OUT> harness(
            ProcessFunction<KafkaEnvelope, OUT> function, TypeInformation<OUT> out)
            throws Exception {
        var harness =
                new OneInputStreamOperatorTestHarness<KafkaEnvelope, OUT>(
                        new ProcessOperator<>(function));
        harness.setup(serializer(out));
        harness.open();
        return harness;
    }

    static List<Reject> rejects(OneInputStreamOperatorTestHarness<?, ?> harness) {
        return harness.getSideOutput(EnvelopeStage.rejects(FilterJob.STAGE)).stream()
                .map(StreamRecord::getValue)
                .toList();
    }
}
