package io.streamlip.app;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What each topic of the pipeline holds at the end of a run, read with read_committed. Reject
 * reasons outside the known codes count as {@value #OTHER}, and stage names are capped, so a record
 * on the rejects topic cannot make the report unbounded.
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

    /** The key of reasons outside {@link RejectReason}'s codes and of stages beyond the bound. */
    static final String OTHER = "other";

    /** Most distinct stage names kept. */
    static final int MAX_STAGES = 32;

    private static final Set<String> KNOWN_REASONS =
            Arrays.stream(RejectReason.values())
                    .map(RejectReason::code)
                    .collect(Collectors.toUnmodifiableSet());

    static PipelineCounts read(KafkaClients kafka, PipelineTopics topics) {
        Map<String, Long> reasons = new TreeMap<>();
        Map<String, Long> stages = new TreeMap<>();
        for (Reject r : TopicReader.readAll(kafka, topics.rejects(), AvroSerde.of(Reject.class))) {
            reasons.merge(reasonKey(r.getReason()), 1L, Long::sum);
            stages.merge(stageKey(r.getStage(), stages), 1L, Long::sum);
        }
        return new PipelineCounts(
                TopicReader.count(kafka, topics.rawPairs()),
                TopicReader.count(kafka, topics.curatedPairs()),
                TopicReader.count(kafka, topics.examples()),
                reasons,
                stages);
    }

    static String reasonKey(String reason) {
        return KNOWN_REASONS.contains(reason) ? reason : OTHER;
    }

    static String stageKey(String stage, Map<String, Long> seen) {
        String key = BoundedText.cap(stage == null ? "none" : stage, 64);
        return seen.containsKey(key) || seen.size() < MAX_STAGES - 1 ? key : OTHER;
    }

    long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
}
