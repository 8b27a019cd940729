package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.tokenize.subword.BpeModel;
import io.streamlip.tokenize.subword.BpeTrainer;
import io.streamlip.tokenize.subword.LanguageSample;
import io.streamlip.tokenize.subword.SubwordTokenizer;
import io.streamlip.tokenize.subword.TokenizerJson;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenize job with a trained subword tokenizer and CLIPPO rendering, on a MiniCluster against
 * a real broker: the operator loads the tokenizer.json it carries and the font at open(), and every
 * example names the tokenizer's version and carries the rendered caption.
 */
@Tag("integration")
class SubwordTokenizeJobTest {
    private static final String[][] CAPTIONS = {
        {"en", "a red circle"}, {"de", "ein roter Kreis"}, {"ja", "赤い丸"}, {"ru", "красный круг"}
    };

    @Test
    void examplesCarrySubwordIdsTheirVersionAndRenderedText(@TempDir Path dir) throws Exception {
        LanguageSample sample = new LanguageSample(100, 1);
        for (int i = 0; i < 5; i++) {
            for (String[] c : CAPTIONS) {
                sample.offer(c[0], c[1]);
            }
        }
        BpeModel model =
                new BpeTrainer(BpeTrainer.Config.builder().vocabSize(300).build()).train(sample);
        Path tokenizerFile = dir.resolve("tokenizer.json");
        Files.write(tokenizerFile, TokenizerJson.write(model));
        Path font = dir.resolve("font.hex");
        Files.writeString(font, "0061:" + "3C".repeat(16) + "\n");
        TokenizeConfig config =
                TokenizeConfig.builder()
                        .tokenizerFile(tokenizerFile.toString())
                        .render(TextRenderConfig.defaults(font.toString()))
                        .build();
        String version = SubwordTokenizer.load(tokenizerFile, 64).version();

        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
            PipelineTopics topics = PipelineTopics.defaults().prefixed("subword-");
            try (Admin admin = broker.admin()) {
                topics.create(admin);
            }
            List<RawPair> raw = new ArrayList<>();
            new SyntheticPairs(32).pairs(CAPTIONS.length, 5).forEachRemaining(raw::add);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
                for (int i = 0; i < CAPTIONS.length; i++) {
                    CuratedPair curated =
                            CuratedPair.newBuilder()
                                    .setPair(raw.get(i))
                                    .setCaption(CAPTIONS[i][1])
                                    .setLang(CAPTIONS[i][0])
                                    .setImageFormat("png")
                                    .setImageWidth(32)
                                    .setImageHeight(32)
                                    .setImageSha256("0")
                                    .setCuratedTime(Instant.now())
                                    .build();
                    producer.send(
                            new ProducerRecord<>(
                                    topics.curatedPairs(),
                                    raw.get(i).getId().getBytes(),
                                    AvroSerde.of(CuratedPair.class).encode(curated)));
                }
            }
            StreamExecutionEnvironment env =
                    JobEnvironment.create(
                            JobSettings.defaults(dir.resolve("checkpoints")).toBuilder()
                                    .parallelism(1)
                                    .build());
            TokenizeJob.attach(env, kafka, topics, config, true);
            env.execute("subword-tokenize-test");

            List<Example> written =
                    TopicReader.readAll(kafka, topics.examples(), AvroSerde.of(Example.class));
            assertThat(written).hasSize(CAPTIONS.length);
            for (Example e : written) {
                assertThat(e.getTokenizerVersion()).isEqualTo(version);
                int[] expected = model.encode(e.getCaption());
                assertThat(e.getTokenIds())
                        .containsExactlyElementsOf(
                                java.util.Arrays.stream(expected).boxed().toList());
                ByteBuffer rendered = e.getRenderedText();
                assertThat(rendered).isNotNull();
                assertThat(rendered.remaining()).isEqualTo(32 * 32);
            }
            assertThat(written.stream().filter(e -> e.getLang().equals("en")).findFirst())
                    .get()
                    .satisfies(e -> assertThat(e.getTokenIds().size()).isLessThan(13));
        }
    }
}
