package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.ingest.parquet.PlainCodecs;
import io.streamlip.platform.image.TestImages;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code streamlip import} of the web formats: detection, --format, --limit, the summary. */
@Tag("integration")
class ImportFormatsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @TempDir Path dir;

    private DemoCommandTest.Run importing(String prefix, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "import";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--bootstrap=" + KAFKA.broker().bootstrapServers();
        all[args.length + 2] = "--topic-prefix=" + prefix;
        all[args.length + 3] = "--import-max-caption-chars=100";
        return DemoCommandTest.run(all);
    }

    private static List<RawPair> raw(String prefix) {
        return TopicReader.readAll(
                KAFKA.clients(),
                PipelineTopics.defaults().prefixed(prefix).rawPairs(),
                AvroSerde.of(RawPair.class));
    }

    @Test
    void parquetWithoutHadoopAndALimit() throws Exception {
        Schema schema =
                SchemaBuilder.record("laion")
                        .fields()
                        .optionalString("URL")
                        .optionalString("TEXT")
                        .optionalString("LANGUAGE")
                        .endRecord();
        Path file = dir.resolve("part-00000.parquet");
        try (ParquetWriter<GenericRecord> writer = parquetWriter(file, schema)) {
            for (int i = 0; i < 40; i++) {
                GenericRecord r = new GenericData.Record(schema);
                r.put("URL", i == 3 ? "mailto:x@example.com" : "https://img.example/" + i);
                r.put("TEXT", i == 5 ? "y".repeat(101) : "caption " + i);
                r.put("LANGUAGE", "en");
                writer.write(r);
            }
        }

        var run = importing("pq-", file.toString(), "--limit=20");

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode stats = JSON.readTree(run.out());
        assertThat(stats.path("importer").asText()).isEqualTo("parquet:part-00000.parquet");
        assertThat(stats.path("pairs").asLong()).isEqualTo(20);
        assertThat(stats.path("per_language").path("en").asLong()).isEqualTo(20);
        assertThat(stats.path("rejected").path("per_reason").path("bad_url").asLong()).isEqualTo(1);
        assertThat(stats.path("rejected").path("per_reason").path("field_too_large").asLong())
                .isEqualTo(1);
        assertThat(run.err()).contains("refused 2 input lines");
        List<RawPair> read = raw("pq-");
        assertThat(read).hasSize(20);
        assertThat(read)
                .allSatisfy(p -> assertThat(p.getImageUrl()).startsWith("https://img.example/"));
        assertThatNoHadoop();
    }

    private static void assertThatNoHadoop() {
        assertThat(
                        ImportFormatsCommandTest.class
                                .getClassLoader()
                                .getResource("org/apache/hadoop/conf/Configuration.class"))
                .as("Hadoop on the CLI's classpath")
                .isNull();
    }

    @Test
    void webDatasetFolderAndAForcedFormat() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("shards"));
        byte[] png = TestImages.png(8, 8);
        try (OutputStream out = Files.newOutputStream(folder.resolve("00000.tar"));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (int i = 0; i < 5; i++) {
                member(tar, i + ".png", png);
                member(tar, i + ".txt", ("sample " + i).getBytes(StandardCharsets.UTF_8));
            }
            member(tar, "5.png", png);
        }
        var shards = importing("wds-", folder.toString());
        assertThat(shards.code()).as(shards.err()).isZero();
        JsonNode stats = JSON.readTree(shards.out());
        assertThat(stats.path("pairs").asLong()).isEqualTo(5);
        assertThat(stats.path("rejected").path("per_reason").path("missing_caption").asLong())
                .isEqualTo(1);
        assertThat(raw("wds-")).hasSize(5).allSatisfy(p -> assertThat(p.getImage()).isNotNull());

        Path list =
                Files.writeString(dir.resolve("cc.list"), "a caption\thttp://cc.example/1.jpg\n");
        var tsv = importing("tsv-", list.toString(), "--format=tsv");
        assertThat(tsv.code()).as(tsv.err()).isZero();
        assertThat(JSON.readTree(tsv.out()).path("pairs").asLong()).isEqualTo(1);
        assertThat(raw("tsv-"))
                .extracting(RawPair::getImageUrl)
                .containsExactly("http://cc.example/1.jpg");

        var wrong = importing("x-", list.toString(), "--format=avro");
        assertThat(wrong.code()).isNotZero();
        assertThat(wrong.err()).contains("unknown format 'avro'");
    }

    private static void member(TarArchiveOutputStream tar, String name, byte[] bytes)
            throws Exception {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    /** parquet-avro's writer without Hadoop (see ingest's WebFixtures for why method handles). */
    @SuppressWarnings("unchecked")
    private static ParquetWriter<GenericRecord> parquetWriter(Path file, Schema schema)
            throws Exception {
        try {
            var lookup = MethodHandles.publicLookup();
            Object builder =
                    lookup.findStatic(
                                    AvroParquetWriter.class,
                                    "builder",
                                    MethodType.methodType(
                                            AvroParquetWriter.Builder.class, OutputFile.class))
                            .invoke(new LocalOutputFile(file));
            builder =
                    lookup.findVirtual(
                                    ParquetWriter.Builder.class,
                                    "withConf",
                                    MethodType.methodType(
                                            ParquetWriter.Builder.class,
                                            ParquetConfiguration.class))
                            .invoke(builder, new PlainParquetConfiguration());
            return ((AvroParquetWriter.Builder<GenericRecord>) builder)
                    .withSchema(schema)
                    .withDataModel(GenericData.get())
                    .withCodecFactory(PlainCodecs.INSTANCE)
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .build();
        } catch (Exception e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
