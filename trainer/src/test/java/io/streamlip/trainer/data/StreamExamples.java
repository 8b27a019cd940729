package io.streamlip.trainer.data;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        return encode(i, lang, false);
    }

    /**
     * The Avro bytes of example {@code i} in {@code lang}; with {@code rendered}, also a caption
     * "rendered" as gray pixels (random, drawn from {@code i}), as a CLIPPO model reads.
     */
    public static byte[] encode(int i, String lang, boolean rendered) {
        Random random = new Random(i);
        byte[] rgb = new byte[IMAGE_SIZE * IMAGE_SIZE * 3];
        random.nextBytes(rgb);
        byte[] gray = null;
        if (rendered) {
            gray = new byte[IMAGE_SIZE * IMAGE_SIZE];
            random.nextBytes(gray);
        }
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
                        .setRenderedText(gray == null ? null : ByteBuffer.wrap(gray))
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
        produce(kafka, topic, partitions, from, to, langs, false);
    }

    /** As {@link #produce}, each example with a rendered caption when {@code rendered}. */
    public static void produce(
            KafkaClients kafka,
            String topic,
            int partitions,
            int from,
            int to,
            List<String> langs,
            boolean rendered) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            for (int i = from; i < to; i++) {
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                i % partitions,
                                ("ex-" + i).getBytes(StandardCharsets.UTF_8),
                                encode(i, langs.get(i % langs.size()), rendered)));
            }
            producer.flush();
        }
    }

    /**
     * The batch of examples {@code numbers}, in that order, as the trainer's reader assembles it
     * for {@code model} from {@link #produce}'s records.
     */
    public static TrainingBatch batch(
            int[] numbers, List<String> langs, ModelConfig model, int eosId, boolean rendered) {
        ExampleDecoder decoder = new ExampleDecoder(IMAGE_SIZE, model.vocabSize(), null);
        List<DecodedExample> examples = new ArrayList<>();
        for (int i : numbers) {
            try {
                examples.add(decoder.decode(encode(i, langs.get(i % langs.size()), rendered)));
            } catch (ExampleDecoder.InvalidExampleException e) {
                throw new IllegalStateException(e);
            }
        }
        return TrainingBatch.of(examples, model, eosId, Map.of());
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
