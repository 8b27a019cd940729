package io.streamlip.app;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the live-model loop did in a run, read at the end from the committed topics (exactly what
 * the filter wrote, whatever its restarts).
 *
 * @param modelUpdatesSeen records on {@code model-updates}
 * @param scored curated pairs that carry a score and its model version
 * @param unscored curated pairs without one (passed before the first model loaded)
 * @param refused {@code low_crossmodal_score} rejects
 * @param scoreErrors pairs the model failed to score ({@code internal_error} with a model version)
 * @param modelVersions versions that scored or refused a pair, first use first, at most {@link
 *     #MAX_VERSIONS}
 * @param firstScored when the first pair was judged by a model (curated or refused), or null
 * @param firstModelUpdate when the trainer announced its first model, or null
 */
record ScorerCounts(
        long modelUpdatesSeen,
        long scored,
        long unscored,
        long refused,
        long scoreErrors,
        List<String> modelVersions,
        Instant firstScored,
        Instant firstModelUpdate) {

    /** Most model versions listed. */
    static final int MAX_VERSIONS = 1000;

    static ScorerCounts read(KafkaClients kafka, PipelineTopics topics) {
        AvroSerde<CuratedPair> curatedSerde = AvroSerde.of(CuratedPair.class);
        AvroSerde<Reject> rejectSerde = AvroSerde.of(Reject.class);
        long[] n = new long[4]; // scored, unscored, refused, errors
        Set<String> versions = new LinkedHashSet<>();
        Instant[] first = new Instant[1];
        TopicReader.scan(
                kafka,
                topics.curatedPairs(),
                r -> {
                    CuratedPair p = curatedSerde.decode(r.value());
                    if (p.getModelVersion() == null) {
                        n[1]++;
                        return;
                    }
                    n[0]++;
                    judged(versions, first, p.getModelVersion(), p.getCuratedTime());
                });
        TopicReader.scan(
                kafka,
                topics.rejects(),
                r -> {
                    Reject reject = rejectSerde.decode(r.value());
                    if (reject.getModelVersion() == null) {
                        return;
                    }
                    if (RejectReason.LOW_CROSSMODAL_SCORE.code().equals(reject.getReason())) {
                        n[2]++;
                        judged(versions, first, reject.getModelVersion(), reject.getRejectTime());
                    } else {
                        n[3]++;
                    }
                });
        long[] updates = new long[1];
        Instant[] firstUpdate = new Instant[1];
        TopicReader.scan(
                kafka,
                topics.modelUpdates(),
                r -> {
                    updates[0]++;
                    Instant at = Instant.ofEpochMilli(r.timestamp());
                    if (r.timestamp() >= 0
                            && (firstUpdate[0] == null || at.isBefore(firstUpdate[0]))) {
                        firstUpdate[0] = at;
                    }
                });
        return new ScorerCounts(
                updates[0],
                n[0],
                n[1],
                n[2],
                n[3],
                new ArrayList<>(versions),
                first[0],
                firstUpdate[0]);
    }

    private static void judged(Set<String> versions, Instant[] first, String version, Instant at) {
        if (versions.size() < MAX_VERSIONS) {
            versions.add(BoundedText.cap(version, 256));
        }
        if (at != null && (first[0] == null || at.isBefore(first[0]))) {
            first[0] = at;
        }
    }

    /**
     * Seconds from {@code trainingStarted} to the first judged pair; NaN when either is unknown.
     */
    double firstScoredAfter(Instant trainingStarted) {
        return secondsBetween(trainingStarted, firstScored);
    }

    /**
     * Seconds from {@code trainingStarted} to the first model update; NaN when either is unknown.
     */
    double firstModelUpdateAfter(Instant trainingStarted) {
        return secondsBetween(trainingStarted, firstModelUpdate);
    }

    private static double secondsBetween(Instant from, Instant to) {
        if (from == null || to == null) {
            return Double.NaN;
        }
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
