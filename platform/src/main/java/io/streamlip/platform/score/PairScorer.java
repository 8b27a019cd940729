package io.streamlip.platform.score;

import io.streamlip.schemas.CuratedPair;
import java.util.List;

/**
 * Scores how well a pair's image and caption match under one model: higher is a better match.
 * Implementations hold a loaded model (e.g. a SigLIP checkpoint, in the trainer module) and are
 * used by one thread at a time; {@link #close} frees the model.
 */
public interface PairScorer extends AutoCloseable {

    /** The model's version, recorded in each scored pair ({@code model_version}). */
    String modelVersion();

    /**
     * The scores of {@code pairs}, in order (for a SigLIP model: the cosine similarity of the image
     * and text embeddings, in [-1, 1]).
     *
     * @throws Exception when a pair cannot be scored (e.g. its image does not decode)
     */
    float[] score(List<CuratedPair> pairs) throws Exception;

    /** The score of one pair. */
    default float score(CuratedPair pair) throws Exception {
        return score(List.of(pair))[0];
    }

    @Override
    void close();
}
