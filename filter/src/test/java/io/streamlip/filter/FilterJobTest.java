package io.streamlip.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.ingest.noise.NoiseSimulator;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.image.TestImages;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The filter job on a MiniCluster against a real broker, with a bounded source. */
@Tag("integration")
class FilterJobTest {
    /** Stops at the input topics' end, so the job finishes. */
    private static final FilterJob.Options BOUNDED =
            FilterJob.Options.builder().bounded(true).build();

    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @Test
    void curatesDeduplicatesAndRejectsWithReasons(@TempDir Path checkpoints) throws Exception {
        PipelineTopics topics = KAFKA.createTopics("filter-job-");
        List<RawPair> good = new ArrayList<>();
        new SyntheticPairs(32).pairs(30, 11).forEachRemaining(good::add);
        RawPair first = good.get(0);
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            good.forEach(producer::send);
            producer.send(first); // the same record again
            producer.send(withId(first, "recrawl-of-0")); // same image and caption, new id
            producer.send(
                    RawPair.newBuilder(first)
                            .setId("new-caption-of-0")
                            .setAltText(first.getAltText() + " on grey")
                            .build()); // same image, another caption: a new pair
            producer.send(
                    RawPair.newBuilder(first).setId("empty-caption").setAltText(" \t ").build());
            producer.send(
                    RawPair.newBuilder(first)
                            .setId("broken-image")
                            .setImage(
                                    ByteBuffer.wrap(
                                            TestImages.truncated(TestImages.png(64, 64), 0.5)))
                            .build());
            producer.sendBytes("not-avro", "{\"id\": 1}".getBytes(StandardCharsets.UTF_8), null);
        }

        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        FilterJob.attach(env, KAFKA.clients(), topics, FilterConfig.defaults(), BOUNDED);
        env.execute("filter-job-test");

        List<CuratedPair> curated =
                TopicReader.readAll(
                        KAFKA.clients(), topics.curatedPairs(), AvroSerde.of(CuratedPair.class));
        List<String> curatedIds = curated.stream().map(c -> c.getPair().getId()).toList();
        assertThat(curatedIds)
                .hasSize(good.size() + 1)
                .doesNotHaveDuplicates()
                .contains("new-caption-of-0")
                .doesNotContain("empty-caption", "broken-image");
        // The first of the three copies of pair 0 to arrive passes (the re-crawl has another key,
        // so it may travel on another partition and win); the other two are duplicates.
        List<String> copies = List.of(first.getId(), "recrawl-of-0");
        assertThat(curatedIds.stream().filter(copies::contains)).hasSize(1);

        List<Reject> rejects =
                TopicReader.readAll(KAFKA.clients(), topics.rejects(), AvroSerde.of(Reject.class));
        assertThat(rejects)
                .hasSize(5)
                .allSatisfy(r -> assertThat(r.getStage()).isEqualTo("filter"));
        assertThat(rejects.stream().map(r -> r.getReason() + ":" + r.getId()))
                .contains("caption_empty:empty-caption", "image_truncated:broken-image")
                .filteredOn(r -> r.startsWith("duplicate:"))
                .hasSize(2)
                .allSatisfy(r -> assertThat(copies).contains(r.substring("duplicate:".length())));

        Reject notAvro = only(rejects, "not_avro");
        assertThat(notAvro.getId()).isNull();
        assertThat(text(notAvro.getKey())).isEqualTo("not-avro");
        assertThat(text(notAvro.getPayload())).isEqualTo("{\"id\": 1}");
        assertThat(notAvro.getTopic()).isEqualTo(topics.rawPairs());
        assertThat(notAvro.getPartition()).isNotNegative();
        assertThat(notAvro.getOffset()).isNotNegative();

        // A duplicate's reject names the pair it repeats and carries the original record.
        Reject duplicate =
                only(
                        rejects.stream().filter(r -> first.getId().equals(r.getId())).toList(),
                        "duplicate");
        assertThat(duplicate.getDetail()).containsAnyOf(first.getId(), "recrawl-of-0");
        assertThat(AvroSerde.of(RawPair.class).decode(PairCurator.bytes(duplicate.getPayload())))
                .isEqualTo(first);
        assertThat(text(duplicate.getKey())).isEqualTo(first.getId());
    }

    @Test
    void badInputEndsInRejectsWithItsOwnReasonAndTheJobGoesOn(@TempDir Path checkpoints)
            throws Exception {
        PipelineTopics topics = KAFKA.createTopics("filter-bad-");
        List<RawPair> good = new ArrayList<>();
        new SyntheticPairs(32).pairs(6, 21).forEachRemaining(good::add);
        RawPair base = good.get(0);
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        // Invalid UTF-8 in the caption: encode a marker, then overwrite its bytes in place (same
        // length, so the Avro length prefix stays right) with a lone continuation byte and an
        // unfinished two-byte sequence.
        byte[] invalidUtf8 =
                serde.encode(withCaption(base, "invalid-utf8", "caption MARKERXY here"));
        int at = indexOf(invalidUtf8, "MARKERXY".getBytes(StandardCharsets.US_ASCII));
        invalidUtf8[at] = (byte) 0x80;
        invalidUtf8[at + 1] = (byte) 0xC3;
        invalidUtf8[at + 2] = (byte) 0x28;
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            producer.send(withImage(base, "random-bytes", TestImages.randomBytes(3000, 5)));
            producer.send(
                    withImage(
                            base,
                            "truncated-png",
                            TestImages.truncated(TestImages.png(64, 64), 0.6)));
            producer.send(
                    withImage(
                            base,
                            "truncated-jpeg",
                            TestImages.truncated(TestImages.jpeg(64, 64), 0.6)));
            producer.send(withImage(base, "bomb", TestImages.pngHeaderOnly(50_000, 50_000)));
            producer.send(withCaption(base, "huge-caption", "word ".repeat(200_000)));
            producer.sendBytes("invalid-utf8", invalidUtf8, null);
            producer.sendBytes("not-avro", TestImages.randomBytes(100, 7), null);
            good.forEach(producer::send); // the job goes on after all of that
        }
        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(1)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        FilterJob.attach(env, KAFKA.clients(), topics, FilterConfig.defaults(), BOUNDED);
        env.execute("filter-bad-input-test");

        List<Reject> rejects =
                TopicReader.readAll(KAFKA.clients(), topics.rejects(), AvroSerde.of(Reject.class));
        assertThat(rejects.stream().map(r -> r.getReason() + ":" + text(r.getKey())))
                .containsExactlyInAnyOrder(
                        "image_undecodable:random-bytes",
                        "image_truncated:truncated-png",
                        "image_truncated:truncated-jpeg",
                        "image_too_large:bomb",
                        "caption_too_long:huge-caption",
                        "caption_invalid_utf8:invalid-utf8",
                        "not_avro:not-avro");
        List<CuratedPair> curated =
                TopicReader.readAll(
                        KAFKA.clients(), topics.curatedPairs(), AvroSerde.of(CuratedPair.class));
        assertThat(curated.stream().map(c -> c.getPair().getId()))
                .containsExactlyInAnyOrderElementsOf(good.stream().map(RawPair::getId).toList());
        assertThat(curated)
                .allSatisfy(
                        c -> {
                            assertThat(c.getPhash()).isNotNull();
                            assertThat(c.getTextQuality()).isNotNull();
                        });
    }

    @Test
    void capsALanguageAndRefusesEvaluationImagesThroughBroadcastState(
            @TempDir Path checkpoints, @TempDir Path evalSet) throws Exception {
        PipelineTopics topics = KAFKA.createTopics("filter-caps-eval-");
        new SyntheticPairs(32).writeEvalSet(evalSet, 1, 99);
        List<NoiseSimulator.EvalImage> evalImages = NoiseSimulator.evalImages(evalSet);
        List<RawPair> good = new ArrayList<>();
        new SyntheticPairs(32).pairs(30, 11).forEachRemaining(good::add); // all pass the filters
        List<String> german =
                good.stream()
                        .filter(p -> "de".equals(p.getLangHint()))
                        .map(RawPair::getId)
                        .toList();
        assertThat(german).as("enough German pairs to cap").hasSizeGreaterThan(2);
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            // Evaluation images first: they may well reach the filter before the broadcast
            // stream has delivered the whole set, and must be checked all the same.
            for (int i = 0; i < 2; i++) {
                producer.send(
                        RawPair.newBuilder(good.get(0))
                                .setId("eval-copy-" + i)
                                .setImage(ByteBuffer.wrap(evalImages.get(i).image()))
                                .setAltText(evalImages.get(i).text())
                                .setLangHint(evalImages.get(i).lang())
                                .build());
            }
            good.forEach(producer::send);
        }
        FilterConfig config =
                FilterConfig.builder()
                        .nearDuplicates(
                                NearDuplicateConfig.builder()
                                        .evalSets(List.of(evalSet.toString()))
                                        .build())
                        .language(LanguageConfig.builder().caps(Map.of("de", 2L)).build())
                        .build();
        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        FilterJob.attach(env, KAFKA.clients(), topics, config, BOUNDED);
        env.execute("filter-caps-eval-test");

        List<String> curated =
                TopicReader.readAll(
                                KAFKA.clients(),
                                topics.curatedPairs(),
                                AvroSerde.of(CuratedPair.class))
                        .stream()
                        .map(c -> c.getPair().getId())
                        .toList();
        // Exact deduplication redistributes pairs by key, so which two German pairs reach the
        // cap stage first is not fixed; that two pass and the rest are capped is.
        List<String> keptGerman = curated.stream().filter(german::contains).toList();
        assertThat(keptGerman).as("German stops at its cap of 2").hasSize(2);
        assertThat(curated.stream().filter(id -> !german.contains(id)))
                .as("every other language passes")
                .containsExactlyInAnyOrderElementsOf(
                        good.stream()
                                .map(RawPair::getId)
                                .filter(id -> !german.contains(id))
                                .toList());
        List<Reject> rejects =
                TopicReader.readAll(KAFKA.clients(), topics.rejects(), AvroSerde.of(Reject.class));
        List<String> expectedRejects = new ArrayList<>();
        expectedRejects.add("eval_contamination:eval-copy-0");
        expectedRejects.add("eval_contamination:eval-copy-1");
        german.stream()
                .filter(id -> !keptGerman.contains(id))
                .forEach(id -> expectedRejects.add("language_cap:" + id));
        assertThat(rejects.stream().map(r -> r.getReason() + ":" + r.getId()))
                .containsExactlyInAnyOrderElementsOf(expectedRejects);
        assertThat(only(rejects, "eval_contamination").getDetail())
                .contains("evaluation image", evalSet.toString());
        assertThat(only(rejects, "language_cap").getDetail()).contains("'de'", "cap 2");
    }

    static RawPair withImage(RawPair pair, String id, byte[] image) {
        return RawPair.newBuilder(pair).setId(id).setImage(ByteBuffer.wrap(image)).build();
    }

    static RawPair withCaption(RawPair pair, String id, String caption) {
        return RawPair.newBuilder(pair).setId(id).setAltText(caption).build();
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("marker not found");
    }

    static Reject only(List<Reject> rejects, String reason) {
        List<Reject> matching = rejects.stream().filter(r -> r.getReason().equals(reason)).toList();
        assertThat(matching).as("rejects for " + reason).isNotEmpty();
        return matching.get(0);
    }

    static String text(ByteBuffer buffer) {
        return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }

    static RawPair withId(RawPair pair, String id) {
        return RawPair.newBuilder(pair).setId(id).build();
    }
}
