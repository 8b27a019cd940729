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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

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
 * @param byNoiseKind pairs a model judged, by the noise kind the import injected ({@link
 *     #SOURCE_KIND} for the source's own pairs); empty when the import injected none
 */
record ScorerCounts(
        long modelUpdatesSeen,
        long scored,
        long unscored,
        long refused,
        long scoreErrors,
        List<String> modelVersions,
        Instant firstScored,
        Instant firstModelUpdate,
        Map<String, Judged> byNoiseKind) {

    /** The {@link #byNoiseKind} key of the source's own pairs (nothing injected). */
    static final String SOURCE_KIND = "source";

    /**
     * Pairs of one noise kind a model judged: {@code scored} passed with a score, {@code refused}
     * were refused as {@code low_crossmodal_score}.
     */
    record Judged(long scored, long refused) {
        Judged plus(long moreScored, long moreRefused) {
            return new Judged(scored + moreScored, refused + moreRefused);
        }

        /** Share of the judged pairs refused; NaN when none was judged. */
        double refusedShare() {
            long judged = scored + refused;
            return judged == 0 ? Double.NaN : (double) refused / judged;
        }
    }

    /** Most model versions listed. */
    static final int MAX_VERSIONS = 1000;

    static ScorerCounts read(KafkaClients kafka, PipelineTopics topics) {
        return read(kafka, topics, null);
    }

    /**
     * As {@link #read(KafkaClients, PipelineTopics)}, with the judged pairs counted by the noise
     * kind {@code kindOf} gives a pair id (null: a source pair); a null {@code kindOf} counts none.
     */
    static ScorerCounts read(
            KafkaClients kafka, PipelineTopics topics, Function<String, String> kindOf) {
        Map<String, Judged> byKind = new TreeMap<>();
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
                    countKind(byKind, kindOf, p.getPair().getId(), 1, 0);
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
                        countKind(byKind, kindOf, reject.getId(), 0, 1);
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
                firstUpdate[0],
                byKind);
    }

    private static void countKind(
            Map<String, Judged> byKind,
            Function<String, String> kindOf,
            CharSequence id,
            long scored,
            long refused) {
        if (kindOf == null) {
            return;
        }
        String kind = id == null ? null : kindOf.apply(id.toString());
        byKind.merge(
                kind == null ? SOURCE_KIND : kind,
                new Judged(scored, refused),
                (a, b) -> a.plus(b.scored(), b.refused()));
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
