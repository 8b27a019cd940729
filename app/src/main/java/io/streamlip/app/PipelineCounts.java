package io.streamlip.app;

import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.ingest.kafka.PipelineTopics;
import io.streamlip.ingest.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Reject;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each topic of the pipeline holds at the end of a run, read with read_committed.
 *
 * @param raw records on the raw topic
 * @param curated pairs that passed curation
 * @param examples tokenized examples
 * @param rejected refused records per reason code
 * @param rejectedByStage refused records per stage
 */
record PipelineCounts(
        long raw,
        long curated,
        long examples,
        Map<String, Long> rejected,
        Map<String, Long> rejectedByStage) {

    static PipelineCounts read(KafkaClients kafka, PipelineTopics topics) {
        Map<String, Long> reasons = new TreeMap<>();
        Map<String, Long> stages = new TreeMap<>();
        for (Reject r : TopicReader.readAll(kafka, topics.rejects(), AvroSerde.of(Reject.class))) {
            reasons.merge(r.getReason(), 1L, Long::sum);
            stages.merge(r.getStage(), 1L, Long::sum);
        }
        return new PipelineCounts(
                TopicReader.count(kafka, topics.rawPairs()),
                TopicReader.count(kafka, topics.curatedPairs()),
                TopicReader.count(kafka, topics.examples()),
                reasons,
                stages);
    }

    long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
}
