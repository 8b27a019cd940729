package io.streamlip.platform.score;

import io.streamlip.schemas.ModelUpdate;
import java.io.Serializable;

/**
 * Loads the model a {@link ModelUpdate} announces ({@code checkpoint_path}) as a {@code
 * PairScorer}. Serializable, so a Flink job can ship it to every parallel instance of the score
 * operator, which loads its own copy of each new model.
 *
 * <p>The filter module defines only this interface: the model code lives in the trainer module,
 * which depends on the filter (through tokenize), so the implementation ({@code
 * io.streamlip.trainer.score.CheckpointScorerFactory}) is handed to the job by whoever builds it
 * (the app).
 */
@FunctionalInterface
public interface PairScorerFactory extends Serializable {

    /**
     * Loads the model of {@code update}.
     *
     * @throws Exception when the checkpoint cannot be read (missing, pruned, another format)
     */
    PairScorer load(ModelUpdate update) throws Exception;
}
