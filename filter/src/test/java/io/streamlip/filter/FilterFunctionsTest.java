package io.streamlip.filter;

import static io.streamlip.filter.curate.FilterTestRecords.envelope;
import static io.streamlip.filter.curate.FilterTestRecords.serializer;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.blocklist.BlocklistEntry;
import io.streamlip.filter.blocklist.BlocklistFiles;
import io.streamlip.filter.blocklist.BlocklistMatcher;
import io.streamlip.filter.blocklist.BlocklistUpdate;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.DuplicateKey;
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
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
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

    @Test
    void theBlocklistRefusesBeforeDeduplicationAndALiftedEntryLetsTheNextCopyThrough()
            throws Exception {
        PairCurator curator = new PairCurator(FilterConfig.defaults());
        RawPair a = new SyntheticPairs(32).pairs(1, 8).next();
        RawPair b = new SyntheticPairs(32).pairs(1, 9).next();
        RawPair termed =
                RawPair.newBuilder(a)
                        .setId("termed")
                        .setAltText("a forbidden circle")
                        .setLangHint("en")
                        .build();
        BlocklistMatcher matcher =
                new BlocklistMatcher(
                        List.of(
                                new BlocklistFiles.Located(
                                        BlocklistEntry.term("forbidden"), "terms.txt:1")),
                        6,
                        100);
        String listed =
                BlocklistEntry.sha256(DuplicateKey.sha256Hex(PairCurator.bytes(b.getImage())))
                        .text();
        try (var harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new BlocklistDeduplicateFunction(FilterConfig.defaults(), matcher),
                                List.of(BlocklistMatcher.ENTRIES)),
                        (CuratedEnvelope c) -> c.duplicateKey,
                        Types.STRING,
                        128,
                        1,
                        0)) {
            harness.setup(serializer(CuratedEnvelope.typeInfo()));
            harness.open();
            long[] offset = {0};
            ThrowingConsumer<RawPair> send =
                    raw -> {
                        PairCurator.Curated curated =
                                curator.curateWithThumbnail(raw, java.time.Instant.EPOCH).value();
                        harness.processElement(
                                new CuratedEnvelope(
                                        PairCurator.duplicateKey(curated.pair()),
                                        curated.pair(),
                                        curated.thumbnail(),
                                        envelope(raw.getId(), RAW.encode(raw), offset[0]++)),
                                0);
                    };
            send.accept(a); // @0 passes
            send.accept(termed); // @1 the file's term
            harness.processBroadcastElement(new BlocklistUpdate(listed, false, 7, 0), 0);
            send.accept(b); // @2 listed on the topic
            harness.processBroadcastElement(new BlocklistUpdate(listed, true, 8, 0), 0);
            send.accept(b); // @3 passes: the refused copy left no dedup state behind
            send.accept(b); // @4 now a duplicate
            send.accept(a); // @5 a duplicate

            assertThat(harness.extractOutputValues())
                    .extracting(c -> c.pair.getPair().getId() + "@" + c.source.offset)
                    .containsExactly(a.getId() + "@0", b.getId() + "@3");
            List<Reject> rejects =
                    harness.getSideOutput(EnvelopeStage.rejects(FilterJob.STAGE)).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(rejects)
                    .extracting(r -> r.getReason() + "@" + r.getOffset())
                    .containsExactly(
                            "caption_blocklisted@1",
                            "blocklisted_image@2",
                            "duplicate@4",
                            "duplicate@5");
            assertThat(rejects.get(0).getDetail()).contains("terms.txt:1");
            assertThat(rejects.get(1).getDetail()).contains("blocklist topic, offset 7");
            assertThat(rejects).allMatch(r -> r.getStage().equals(FilterJob.STAGE));
            assertThat(harness.getBroadcastState(BlocklistMatcher.ENTRIES).entries()).isEmpty();
        }
    }

    /** One record sent through a harness. */
    @FunctionalInterface
    private interface ThrowingConsumer<T> {
        void accept(T value) throws Exception;
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
