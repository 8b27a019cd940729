package io.streamlip.filter.score;

import io.streamlip.platform.score.PairScorer;
import io.streamlip.platform.score.PairScorerFactory;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.RejectReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cross-modal filter's decisions, without Flink: holds the model in use (loaded from a {@link
 * ModelUpdate} by the {@link PairScorerFactory}), scores a batch of pairs with it in one call, and
 * keeps or refuses each pair in order ({@link CrossModalPolicy}). A batch that fails as a whole is
 * scored pair by pair, so one undecodable image refuses only its own pair ({@code internal_error}).
 * Every judged pair carries the version of the model that judged it. A model that fails to load is
 * logged and the previous one stays. Not thread-safe.
 */
public final class CrossModalJudge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CrossModalJudge.class);

    private final PairScorerFactory factory;
    private final CrossModalPolicy policy;
    private PairScorer scorer;
    private String attemptedVersion;

    public CrossModalJudge(PairScorerFactory factory, CrossModalConfig config) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.policy = new CrossModalPolicy(Objects.requireNonNull(config, "config"));
    }

    /**
     * One pair's outcome.
     *
     * @param pair the pair; when scored, with its {@code crossmodal_score} and {@code
     *     model_version}
     * @param refusal why it is refused ({@code low_crossmodal_score}, or {@code internal_error}
     *     when it could not be scored); null when kept
     * @param detail the refusal's detail; empty when kept
     * @param modelVersion the version of the model that judged it
     */
    public record Judged(
            CuratedPair pair, RejectReason refusal, String detail, String modelVersion) {

        /** Whether the pair passes. */
        public boolean kept() {
            return refusal == null;
        }

        /** Whether the model gave it a score (false when scoring failed). */
        public boolean scored() {
            return pair.getCrossmodalScore() != null;
        }
    }

    /** Whether a model is loaded. */
    public boolean hasModel() {
        return scorer != null;
    }

    /** The loaded model's version; null when none. */
    public String modelVersion() {
        return scorer == null ? null : scorer.modelVersion();
    }

    /** The version of the last update {@link #load} was given (loaded or not); null when none. */
    public String attemptedVersion() {
        return attemptedVersion;
    }

    /**
     * Loads the model of {@code update} in place of the current one, and forgets the recent scores
     * (a new model scores on another scale).
     *
     * @return false when it cannot be loaded (logged; the current model stays)
     */
    public boolean load(ModelUpdate update) {
        attemptedVersion = update.getModelVersion();
        long start = System.nanoTime();
        PairScorer loaded;
        try {
            loaded = factory.load(update);
        } catch (Exception e) {
            LOG.warn(
                    "cannot load model {} from {} (keeping {}): {}",
                    update.getModelVersion(),
                    update.getCheckpointPath(),
                    scorer == null ? "none" : scorer.modelVersion(),
                    e.toString());
            return false;
        }
        if (scorer != null) {
            scorer.close();
        }
        scorer = loaded;
        policy.reset();
        LOG.info(
                "scoring with {} (loaded in {} ms)",
                loaded.modelVersion(),
                (System.nanoTime() - start) / 1_000_000);
        return true;
    }

    /**
     * Scores {@code pairs} with the current model in one call and decides each, in order.
     *
     * @throws IllegalStateException when no model is loaded
     */
    public List<Judged> judge(List<CuratedPair> pairs) {
        if (scorer == null) {
            throw new IllegalStateException("no model loaded");
        }
        String version = scorer.modelVersion();
        float[] scores = null;
        try {
            scores = scorer.score(pairs);
        } catch (Exception e) {
            if (pairs.size() == 1) {
                return List.of(failed(pairs.get(0), e, version));
            }
            // One bad pair fails the whole call: find it by scoring each alone below.
        }
        List<Judged> out = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            CuratedPair pair = pairs.get(i);
            float score;
            if (scores != null) {
                score = scores[i];
            } else {
                try {
                    score = scorer.score(pair);
                } catch (Exception e) {
                    out.add(failed(pair, e, version));
                    continue;
                }
            }
            out.add(decide(pair, score, version));
        }
        return out;
    }

    private Judged decide(CuratedPair pair, float score, String version) {
        CuratedPair scored =
                CuratedPair.newBuilder(pair)
                        .setCrossmodalScore(score)
                        .setModelVersion(version)
                        .build();
        CrossModalPolicy.Decision decision = policy.decide(pair.getLang(), score);
        return decision.keep()
                ? new Judged(scored, null, "", version)
                : new Judged(
                        scored,
                        RejectReason.LOW_CROSSMODAL_SCORE,
                        decision.detail() + " under " + version,
                        version);
    }

    private static Judged failed(CuratedPair pair, Exception e, String version) {
        LOG.warn("cannot score {}: {}", pair.getPair().getId(), e.toString(), e);
        return new Judged(
                pair, RejectReason.INTERNAL_ERROR, "cross-modal score failed: " + e, version);
    }

    @Override
    public void close() {
        if (scorer != null) {
            scorer.close();
            scorer = null;
        }
    }
}
