package io.streamlip.ingest.emoji;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.ingest.importer.ImportListener;
import io.streamlip.ingest.importer.ImportStats;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The path the app takes: the corpus onto the raw topic of a real broker, and back. */
@Tag("integration")
class EmojiImportToKafkaTest {
    @TempDir Path dir;

    @Test
    void everyPairLandsOnTheRawTopic() throws Exception {
        EmojiData data = EmojiFixture.write(dir.resolve("npm"));
        EmojiCorpus corpus =
                EmojiCorpus.open(
                        data,
                        EmojiCorpus.Config.builder()
                                .crawlTime(Instant.parse("2025-01-02T03:04:05Z"))
                                .build());
        List<RawPair> expected = new ArrayList<>();
        corpus.pairs().forEachRemaining(expected::add);

        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            PipelineTopics topics = PipelineTopics.builder().partitions(2).build();
            try (Admin admin = broker.admin()) {
                topics.create(admin);
            }
            KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
            ImportStats stats;
            try (PairProducer producer = new PairProducer(kafka, topics.rawPairs())) {
                stats = corpus.importTo(producer, ImportListener.NONE);
            }
            List<RawPair> read =
                    TopicReader.readAll(kafka, topics.rawPairs(), AvroSerde.of(RawPair.class));

            assertThat(stats.pairs()).isEqualTo(44);
            assertThat(read).containsExactlyInAnyOrderElementsOf(expected);
        }
    }
}
