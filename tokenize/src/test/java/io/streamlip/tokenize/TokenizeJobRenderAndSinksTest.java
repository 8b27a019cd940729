package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.broker.KafkaBroker;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.sinks.FileSinkConfig;
import io.streamlip.tokenize.render.BitmapFont;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CLIPPO rendering and the examples' file sinks, switched on by the tokenize job's {@code main}
 * options: {@code --render-text true --render-font FILE}, {@code --examples-webdataset-dir DIR},
 * {@code --examples-avro-dir DIR} and the shard size.
 */
class TokenizeJobRenderAndSinksTest {
    private static final String[] COMMON = {"--bootstrap", "h:1", "--checkpoint-dir", "/cp"};
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every lower-case letter inked in columns 2-5, and a blank space. */
    static Path font(Path dir) throws Exception {
        StringBuilder hex = new StringBuilder("0020:" + "00".repeat(16) + "\n");
        for (char c = 'a'; c <= 'z'; c++) {
            hex.append(String.format("%04X:", (int) c)).append("3C".repeat(16)).append('\n');
        }
        return Files.writeString(dir.resolve("font.hex"), hex);
    }

    @Test
    void renderTextWithAFontSetsTheRendering(@TempDir Path dir) throws Exception {
        Path font = font(dir);
        TokenizeConfig config =
                TokenizeJob.config(
                        TokenizeJob.arguments(
                                with("--render-text", "true", "--render-font", font.toString())));
        assertThat(config.render()).isNotNull();
        assertThat(config.render().fontFile()).isEqualTo(font.toString());
        assertThat(TokenizeJob.config(TokenizeJob.arguments(COMMON)).render()).isNull();
        assertThat(TokenizeJob.config(TokenizeJob.arguments(with("--render-text=false"))).render())
                .isNull();
    }

    @Test
    void aMissingOrBadFontIsRefusedWhereTheJobIsBuilt(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("none.hex");
        assertThatThrownBy(
                        () ->
                                TokenizeJob.config(
                                        TokenizeJob.arguments(
                                                with(
                                                        "--render-text",
                                                        "true",
                                                        "--render-font",
                                                        missing.toString()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--render-font: no font file "
                                + missing
                                + " (GNU Unifont .hex or .hex.gz expected)");
        Path bad = Files.writeString(dir.resolve("bad.hex"), "0061:12\n");
        assertThatThrownBy(
                        () ->
                                TokenizeJob.config(
                                        TokenizeJob.arguments(
                                                with(
                                                        "--render-text=true",
                                                        "--render-font=" + bad))))
                .hasMessageContaining("--render-font")
                .hasMessageContaining("line 1 is not a .hex glyph");
        assertThatThrownBy(
                        () ->
                                TokenizeJob.config(
                                        TokenizeJob.arguments(
                                                with("--render-font", font(dir).toString()))))
                .hasMessage("--render-font goes with --render-text true");
        assertThatThrownBy(
                        () ->
                                TokenizeJob.config(
                                        TokenizeJob.arguments(with("--render-text", "maybe"))))
                .hasMessage("--render-text takes true or false, got 'maybe'");
        assertThatThrownBy(
                        () ->
                                TokenizeJob.config(
                                        TokenizeJob.arguments(
                                                with(
                                                        "--render-text=true",
                                                        "--render-font=" + font(dir),
                                                        "--image-size=8"))))
                .hasMessageContaining("--image-size 8: rendering text needs imageSize >= 16");
        // With no font anywhere BitmapFont.locate looks, the job says where to put one.
        assumeTrue(BitmapFont.locate(null) == null);
        assertThatThrownBy(
                        () ->
                                TokenizeJob.config(
                                        TokenizeJob.arguments(with("--render-text", "true"))))
                .hasMessageContaining("--render-text needs a font: give --render-font FILE");
    }

    @Test
    void theFontTravelsInsideTheOperator(@TempDir Path dir) throws Exception {
        Path font = font(dir);
        ExampleBuilder built =
                new ExampleBuilder(
                        TokenizeJob.config(
                                TokenizeJob.arguments(
                                        with("--render-text=true", "--render-font=" + font))));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(built);
        }
        Files.delete(font); // a TaskManager has no copy
        ExampleBuilder shipped;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            shipped = (ExampleBuilder) in.readObject();
        }
        RawPair raw = new SyntheticPairs(32).pairs(1, 3).next();
        Example example =
                shipped.build(ExampleBuilderTest.curated(raw, "a red circle", "en")).value();
        byte[] rendered = ExampleBuilderTest.bytes(example.getRenderedText());
        assertThat(rendered).hasSize(32 * 32).contains((byte) 0).contains((byte) 127);
    }

    @Test
    void theFileSinkOptionsSetTheExamplesSinks() {
        assertThat(
                        TokenizeJob.fileSinks(
                                TokenizeJob.arguments(
                                        with(
                                                "--examples-webdataset-dir=/shared/wds",
                                                "--examples-avro-dir",
                                                "/shared/avro",
                                                "--shard-records=9"))))
                .isEqualTo(
                        FileSinkConfig.builder()
                                .webDatasetFolder("/shared/wds")
                                .avroFolder("/shared/avro")
                                .recordsPerShard(9)
                                .build());
        assertThat(TokenizeJob.fileSinks(TokenizeJob.arguments(COMMON)).enabled()).isFalse();
        assertThatThrownBy(() -> TokenizeJob.arguments(with("--curated-webdataset-dir", "/x")))
                .hasMessageContaining("unknown option --curated-webdataset-dir");
    }

    @Test
    @Tag("integration")
    void mainRendersTheCaptionsAndWritesTheExamplesAsShards(@TempDir Path dir) throws Exception {
        Path font = font(dir);
        Path wds = dir.resolve("wds");
        Path avro = dir.resolve("avro");
        String[] captions = {"a red circle", "a blue square", "a green star"};
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
            PipelineTopics topics = PipelineTopics.defaults().prefixed("render-");
            try (var admin = broker.admin()) {
                topics.create(admin);
            }
            List<RawPair> raw = new ArrayList<>();
            new SyntheticPairs(32).pairs(captions.length, 5).forEachRemaining(raw::add);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
                for (int i = 0; i < captions.length; i++) {
                    CuratedPair curated = ExampleBuilderTest.curated(raw.get(i), captions[i], "en");
                    producer.send(
                            new ProducerRecord<>(
                                    topics.curatedPairs(),
                                    raw.get(i).getId().getBytes(),
                                    AvroSerde.of(CuratedPair.class).encode(curated)));
                }
            }
            TokenizeJob.main(
                    new String[] {
                        "--bootstrap",
                        broker.bootstrapServers(),
                        "--checkpoint-dir",
                        dir.resolve("checkpoints").toUri().toString(),
                        "--topic-prefix",
                        "render-",
                        "--parallelism",
                        "1",
                        "--restart-attempts",
                        "1",
                        "--bounded",
                        "--render-text",
                        "true",
                        "--render-font",
                        font.toString(),
                        "--examples-webdataset-dir",
                        wds.toString(),
                        "--examples-avro-dir",
                        avro.toString(),
                        "--shard-records",
                        "2"
                    });

            List<Example> examples =
                    TopicReader.readAll(kafka, topics.examples(), AvroSerde.of(Example.class));
            assertThat(examples).hasSize(captions.length);
            for (Example e : examples) {
                byte[] rendered = ExampleBuilderTest.bytes(e.getRenderedText());
                // The font's ink (0) on CLIPPO's gray background (127).
                assertThat(rendered).hasSize(32 * 32).contains((byte) 0).contains((byte) 127);
            }
            List<String> ids = examples.stream().map(e -> e.getId().toString()).toList();

            List<Path> tars = files(wds);
            assertThat(tars)
                    .hasSize(2)
                    .allSatisfy(
                            t ->
                                    assertThat(t.getFileName().toString())
                                            .matches("examples-\\d{6}\\.tar"));
            List<String> inTars = new ArrayList<>();
            for (Path tar : tars) {
                for (byte[] json : jsonMembers(tar)) {
                    inTars.add(JSON.readTree(json).get("id").asText());
                }
            }
            assertThat(inTars).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(files(avro))
                    .hasSize(2)
                    .allSatisfy(
                            f ->
                                    assertThat(f.getFileName().toString())
                                            .matches("examples-\\d{6}\\.avro"));
        }
    }

    private static String[] with(String... more) {
        return Stream.concat(Stream.of(COMMON), Stream.of(more)).toArray(String[]::new);
    }

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
