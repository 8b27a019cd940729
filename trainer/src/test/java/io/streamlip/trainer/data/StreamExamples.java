package io.streamlip.trainer.data;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Numbered examples for streaming tests: example {@code i} carries its number in its first two
 * token ids, so a batch says which examples it holds.
 */
public final class StreamExamples {
    public static final int IMAGE_SIZE = 32;

    private StreamExamples() {}

    /** The Avro bytes of example {@code i} in {@code lang}. */
    public static byte[] encode(int i, String lang) {
        byte[] rgb = new byte[IMAGE_SIZE * IMAGE_SIZE * 3];
        new Random(i).nextBytes(rgb);
        Example record =
                Example.newBuilder()
                        .setId("ex-" + i)
                        .setLang(lang)
                        .setCaption("")
                        .setTokenIds(List.of(10 + i % 200, 10 + i / 200, 1))
                        .setTokenizerVersion("bytes-v1")
                        .setImage(ByteBuffer.wrap(rgb))
                        .setImageFormat(PixelFormat.RGB8_HWC)
                        .setImageSize(IMAGE_SIZE)
                        .setSourceTime(Instant.now())
                        .build();
        return AvroSerde.of(Example.class).encode(record);
    }

    /** Produces examples {@code from} to {@code to - 1} round-robin over {@code partitions}. */
    public static void produce(
            KafkaClients kafka,
            String topic,
            int partitions,
            int from,
            int to,
            List<String> langs) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            for (int i = from; i < to; i++) {
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                i % partitions,
                                ("ex-" + i).getBytes(StandardCharsets.UTF_8),
                                encode(i, langs.get(i % langs.size()))));
            }
            producer.flush();
        }
    }

    /** The numbers of the examples in {@code batch}. */
    public static int[] numbers(TrainingBatch batch) {
        int[] out = new int[batch.size()];
        int s = batch.contextLength();
        for (int b = 0; b < batch.size(); b++) {
            out[b] = (batch.tokenIds()[b * s] - 10) + 200 * (batch.tokenIds()[b * s + 1] - 10);
        }
        return out;
    }
}
