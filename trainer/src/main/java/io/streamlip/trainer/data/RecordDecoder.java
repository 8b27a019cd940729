package io.streamlip.trainer.data;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ExampleDecoder} applied to Kafka records: a record it refuses is counted (in all and
 * by {@link ExampleDecoder.Refusal reason}) and logged, the first ten of each reason and then every
 * thousandth, so a flood of bad records logs little; the caller passes over it.
 */
final class RecordDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(RecordDecoder.class);

    private final ExampleDecoder decoder;
    private long skipped;
    private final Map<ExampleDecoder.Refusal, Long> skippedByReason =
            new EnumMap<>(ExampleDecoder.Refusal.class);

    RecordDecoder(ExampleDecoder decoder) {
        this.decoder = decoder;
    }

    /** The record's example, or empty when the decoder refuses it (counted and maybe logged). */
    Optional<DecodedExample> decode(ConsumerRecord<byte[], byte[]> r) {
        Attempt a = attempt(r);
        return Optional.ofNullable(a.example());
    }

    /** A record's example, or the reason the decoder refused it (one of the two is null). */
    record Attempt(DecodedExample example, ExampleDecoder.Refusal refusal) {}

    /** As {@link #decode}, saying why a refused record was refused. */
    Attempt attempt(ConsumerRecord<byte[], byte[]> r) {
        try {
            return new Attempt(decoder.decode(r.value()), null);
        } catch (ExampleDecoder.InvalidExampleException e) {
            refused(r.topic(), r.partition(), r.offset(), e.reason(), e.getMessage());
            return new Attempt(null, e.reason());
        }
    }

    /**
     * A record refused before is read again (a replay from memory): counted again, as decoding it
     * again would.
     */
    void refusedAgain(String topic, int partition, long offset, ExampleDecoder.Refusal reason) {
        refused(topic, partition, offset, reason, "refused before, replayed");
    }

    private void refused(
            String topic, int partition, long offset, ExampleDecoder.Refusal reason, String why) {
        skipped++;
        long ofReason = skippedByReason.merge(reason, 1L, Long::sum);
        if (worthLogging(ofReason)) {
            LOG.warn(
                    "skipping {}-{}@{} ({} skipped so far, {} {}): {}",
                    topic,
                    partition,
                    offset,
                    skipped,
                    ofReason,
                    reason.code(),
                    why);
        }
    }

    /** Whether the {@code n}th refusal of one reason is logged: the first ten, every thousandth. */
    static boolean worthLogging(long n) {
        return n <= 10 || n % 1000 == 0;
    }

    /** Records refused so far. */
    long skipped() {
        return skipped;
    }

    /** Records refused so far, by reason. */
    Map<ExampleDecoder.Refusal, Long> skippedByReason() {
        return Map.copyOf(skippedByReason);
    }
}
