package io.streamlip.platform.score;

import io.streamlip.schemas.ModelUpdate;
import java.io.Serializable;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Loads the model a {@link ModelUpdate} announces ({@code checkpoint_path}) as a {@code
 * PairScorer}. Serializable, so a Flink job can ship it to every parallel instance of the score
 * operator, which loads its own copy of each new model.
 *
 * <p>The filter module defines only this interface: the model code lives in the trainer module,
 * which depends on the filter (through tokenize), so the implementation ({@code
 * io.streamlip.trainer.score.CheckpointScorerFactory}) is handed to the job by whoever builds it
 * (the app), or found on the classpath ({@link #discover}: the trainer registers it as a service).
 */
@FunctionalInterface
public interface PairScorerFactory extends Serializable {

    /**
     * Loads the model of {@code update}.
     *
     * @throws Exception when the checkpoint cannot be read (missing, pruned, another format)
     */
    PairScorer load(ModelUpdate update) throws Exception;

    /**
     * The one factory registered on the classpath ({@code
     * META-INF/services/io.streamlip.platform.score.PairScorerFactory}, which streamlip-trainer
     * holds), created with its no-argument constructor.
     *
     * @throws IllegalStateException when none or several are registered
     */
    static PairScorerFactory discover() {
        List<PairScorerFactory> found =
                ServiceLoader.load(
                                PairScorerFactory.class, PairScorerFactory.class.getClassLoader())
                        .stream()
                        .map(ServiceLoader.Provider::get)
                        .toList();
        if (found.size() != 1) {
            throw new IllegalStateException(
                    found.isEmpty()
                            ? "the cross-modal filter is on, but no PairScorerFactory is on the"
                                    + " classpath: the job needs streamlip-trainer's scorer (the"
                                    + " jobs-scorer jar, deploy/target/streamlip-deploy-*-jobs-scorer.jar;"
                                    + " see deploy/README.md)"
                            : "several PairScorerFactory services on the classpath: "
                                    + found.stream().map(f -> f.getClass().getName()).toList());
        }
        return found.get(0);
    }
}
