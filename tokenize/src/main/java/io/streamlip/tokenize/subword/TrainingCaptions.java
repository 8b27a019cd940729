package io.streamlip.tokenize.subword;

import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Where a tokenizer's training text comes from: a Kafka topic of pairs, a pairs folder, or any
 * source's raw pairs (the demo's emoji x CLDR names). Each offers its captions, with their
 * language, to a {@link LanguageSample}, which keeps a bounded, language-balanced sample.
 */
public final class TrainingCaptions {
    private TrainingCaptions() {}

    /**
     * Every record of {@code topic} up to its current end: {@code CuratedPair}s (caption and
     * detected language) or {@code RawPair}s (alt-text and language hint). Records that are neither
     * are skipped. Returns how many captions were offered.
     */
    public static long fromTopic(KafkaClients kafka, String topic, LanguageSample sample) {
        AvroSerde<CuratedPair> curated = AvroSerde.of(CuratedPair.class);
        AvroSerde<RawPair> raw = AvroSerde.of(RawPair.class);
        long[] offered = {0};
        TopicReader.scan(
                kafka,
                topic,
                record -> {
                    byte[] value = record.value();
                    if (value == null) {
                        return;
                    }
                    try {
                        CuratedPair c = curated.decode(value);
                        sample.offer(c.getLang(), c.getCaption());
                        offered[0]++;
                        return;
                    } catch (RuntimeException notCurated) {
                        // fall through: perhaps a raw pair
                    }
                    try {
                        RawPair r = raw.decode(value);
                        sample.offer(r.getLangHint(), r.getAltText());
                        offered[0]++;
                    } catch (RuntimeException neither) {
                        // not a pair: nothing to learn from
                    }
                });
        return offered[0];
    }

    /** The texts of a pairs folder's {@code pairs.jsonl}. Returns how many were offered. */
    public static long fromFolder(Path folder, LanguageSample sample) {
        long n = 0;
        for (PairsFolder.Entry e : PairsFolder.read(folder)) {
            sample.offer(e.lang(), e.text());
            n++;
        }
        return n;
    }

    /** The alt-texts of {@code pairs}, with their language hints. Returns how many were offered. */
    public static long fromPairs(Iterator<RawPair> pairs, LanguageSample sample) {
        long n = 0;
        while (pairs.hasNext()) {
            RawPair pair = pairs.next();
            sample.offer(pair.getLangHint(), pair.getAltText());
            n++;
        }
        return n;
    }
}
