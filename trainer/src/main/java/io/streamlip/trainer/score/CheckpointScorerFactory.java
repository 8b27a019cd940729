package io.streamlip.trainer.score;

import io.streamlip.platform.score.PairScorer;
import io.streamlip.platform.score.PairScorerFactory;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.tokenize.CaptionTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads the checkpoint a {@link ModelUpdate} announces as a {@link CheckpointPairScorer}: what the
 * filter job's cross-modal score stage is given ({@code
 * FilterJob.Options.builder().crossModalScoring(new CrossModalScoring(new
 * CheckpointScorerFactory(null), config))}). The checkpoint path must be readable where the
 * operator runs (the same machine, or a shared filesystem). Registered as a service, so the filter
 * job finds it when its configuration turns the cross-modal filter on ({@code
 * PairScorerFactory.discover}).
 *
 * <p>A scorer runs on one intra-op thread unless told otherwise: a job scales it by parallelism,
 * one task per slot. More threads per task would oversubscribe the cores, and each thread that
 * starts parallel work gets an OpenMP team of its own; once a process holds more team threads than
 * cores, libgomp stops spinning at barriers and every team, a trainer's beside it too, sleeps and
 * wakes at each one.
 */
public final class CheckpointScorerFactory implements PairScorerFactory {
    private static final long serialVersionUID = 1L;

    private final CaptionTokenizer tokenizer;
    private final int threads;

    /** Each checkpoint's own tokenizer, one intra-op thread (the service's constructor). */
    public CheckpointScorerFactory() {
        this(null);
    }

    /**
     * @param tokenizer the tokenizer of the models to load; null for the one each checkpoint
     *     carries ({@link io.streamlip.trainer.checkpoint.CheckpointStore#tokenizer})
     */
    public CheckpointScorerFactory(CaptionTokenizer tokenizer) {
        this(tokenizer, 1);
    }

    /**
     * @param tokenizer as above
     * @param threads intra-op threads of each scorer, at least 1
     */
    public CheckpointScorerFactory(CaptionTokenizer tokenizer, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        this.tokenizer = tokenizer;
        this.threads = threads;
    }

    @Override
    public PairScorer load(ModelUpdate update) throws IOException {
        return CheckpointPairScorer.load(Path.of(update.getCheckpointPath()), tokenizer, threads);
    }
}
