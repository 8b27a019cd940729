package io.streamlip.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.image.TestImages;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.sinks.FileSinkConfig;
import io.streamlip.sinks.FileSinks;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter job's file sinks, switched on by its {@code main}'s options: the curated pairs also
 * land in WebDataset tar shards and Avro files, and a pair the shards cannot take is a {@code
 * sink_unwritable} reject on the rejects topic while it stays on the curated topic.
 */
class FilterJobFileSinksTest {
    private static final String[] COMMON = {"--bootstrap", "k:9092", "--checkpoint-dir", "/cp"};
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @Test
    void theFileSinkOptionsSetTheJobsFileSinks() {
        FileSinkConfig sinks =
                FilterJob.fileSinks(
                        FilterJob.arguments(
                                with(
                                        "--curated-webdataset-dir",
                                        "/shared/wds",
                                        "--curated-avro-dir=/shared/avro",
                                        "--shard-records",
                                        "50",
                                        "--shard-max-record-bytes",
                                        "1000000")));
        assertThat(sinks)
                .isEqualTo(
                        FileSinkConfig.builder()
                                .webDatasetFolder("/shared/wds")
                                .avroFolder("/shared/avro")
                                .recordsPerShard(50)
                                .maxRecordBytes(1_000_000)
                                .build());
        assertThat(FilterJob.fileSinks(FilterJob.arguments(COMMON)).enabled()).isFalse();
        assertThatThrownBy(
                        () ->
                                FilterJob.fileSinks(
                                        FilterJob.arguments(
                                                with("--curated-webdataset-dir", "s3://b/x"))))
                .hasMessageContaining("--curated-webdataset-dir")
                .hasMessageContaining("local or shared path");
    }

    @Test
    @Tag("integration")
    void mainWritesTheCuratedPairsAsShardsAndRejectsWhatTheyCannotTake(@TempDir Path dir)
            throws Exception {
        PipelineTopics topics = KAFKA.createTopics("filter-file-sinks-");
        List<RawPair> raw = new ArrayList<>();
        new SyntheticPairs(32).pairs(12, 7).forEachRemaining(raw::add);
        // Far above the shards' record limit below, far below the topics'.
        RawPair large =
                RawPair.newBuilder()
                        .setId("large")
                        .setImage(ByteBuffer.wrap(TestImages.png(300, 300)))
                        .setAltText("a large square of coloured noise on a screen")
                        .setSource("test")
                        .setCrawlTime(Instant.now())
                        .setLangHint("en")
                        .setAttributes(Map.of())
                        .build();
        raw.add(large);
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            raw.forEach(producer::send);
            producer.flush();
        }
        Path wds = dir.resolve("wds");
        Path avro = dir.resolve("avro");
        FilterJob.main(
                with(
                        "--bootstrap",
                        KAFKA.clients().bootstrapServers(),
                        "--checkpoint-dir",
                        dir.resolve("checkpoints").toUri().toString(),
                        "--topic-prefix",
                        "filter-file-sinks-",
                        "--parallelism",
                        "1",
                        "--restart-attempts",
                        "1",
                        "--bounded",
                        "--curated-webdataset-dir",
                        wds.toString(),
                        "--curated-avro-dir",
                        avro.toUri().toString(),
                        "--shard-records",
                        "4",
                        "--shard-max-record-bytes",
                        "100000"));

        List<String> curated =
                TopicReader.readAll(
                                KAFKA.clients(),
                                topics.curatedPairs(),
                                AvroSerde.of(CuratedPair.class))
                        .stream()
                        .map(p -> p.getPair().getId().toString())
                        .toList();
        assertThat(curated).contains("large").hasSizeGreaterThan(4);
        List<String> expected = curated.stream().filter(id -> !id.equals("large")).toList();

        List<String> inTars = new ArrayList<>();
        List<Path> tars = files(wds);
        for (Path tar : tars) {
            assertThat(tar.getFileName().toString()).matches("curated-\\d{6}\\.tar");
            for (byte[] json : jsonMembers(tar)) {
                inTars.add(JSON.readTree(json).get("id").asText());
            }
        }
        assertThat(inTars).containsExactlyInAnyOrderElementsOf(expected);
        // Full shards of 4; the bounded end completes the last, shorter one.
        assertThat(tars).hasSize((expected.size() + 3) / 4);

        List<String> inAvro = new ArrayList<>();
        for (Path file : files(avro)) {
            assertThat(file.getFileName().toString()).matches("curated-\\d{6}\\.avro");
            try (DataFileReader<CuratedPair> reader =
                    new DataFileReader<>(
                            file.toFile(), new SpecificDatumReader<>(CuratedPair.class))) {
                reader.forEach(p -> inAvro.add(p.getPair().getId().toString()));
            }
        }
        assertThat(inAvro).containsExactlyInAnyOrderElementsOf(expected);

        List<Reject> unwritable =
                TopicReader.readAll(KAFKA.clients(), topics.rejects(), AvroSerde.of(Reject.class))
                        .stream()
                        .filter(r -> r.getReason().toString().equals("sink_unwritable"))
                        .toList();
        assertThat(unwritable)
                .extracting(r -> r.getStage().toString())
                .containsExactlyInAnyOrder(FileSinks.WEBDATASET_STAGE, FileSinks.AVRO_STAGE);
        assertThat(unwritable).allSatisfy(r -> assertThat(r.getId()).hasToString("large"));
    }

    private static String[] with(String... more) {
        return Stream.concat(Stream.of(COMMON), Stream.of(more)).toArray(String[]::new);
    }

    /** The complete files of {@code folder} (hidden unfinished ones left out). */
    private static List<Path> files(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }

    private static List<byte[]> jsonMembers(Path tar) throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (InputStream file = Files.newInputStream(tar);
                TarArchiveInputStream in = new TarArchiveInputStream(file)) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                in.transferTo(content);
                if (e.getName().endsWith(".json")) {
                    out.add(content.toByteArray());
                }
            }
        }
        return out;
    }
}
