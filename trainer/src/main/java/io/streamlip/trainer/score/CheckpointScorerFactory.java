package io.streamlip.trainer.score;

import io.streamlip.filter.score.PairScorer;
import io.streamlip.filter.score.PairScorerFactory;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.trainer.checkpoint.TrainingState;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads the checkpoint a {@link ModelUpdate} announces as a {@link CheckpointPairScorer}: what the
 * filter job's cross-modal score stage is given ({@code FilterJob.attach(..., new
 * CheckpointScorerFactory(null), config)}). The checkpoint path must be readable where the operator
 * runs (the same machine, or a shared filesystem).
 */
public final class CheckpointScorerFactory implements PairScorerFactory {
    private static final long serialVersionUID = 1L;

    private final CaptionTokenizer tokenizer;

    /**
     * @param tokenizer the tokenizer of the models to load; null for the one each checkpoint's
     *     {@code state.json} names (the byte tokenizer is the only one it can build by itself)
     */
    public CheckpointScorerFactory(CaptionTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public PairScorer load(ModelUpdate update) throws IOException {
        return CheckpointPairScorer.load(Path.of(update.getCheckpointPath()), tokenizer);
    }

    /** The tokenizer a checkpoint's state names, when it can be built from the name alone. */
    static CaptionTokenizer tokenizerFor(TrainingState state) {
        ByteTokenizer bytes = new ByteTokenizer(state.model().contextLength());
        if (bytes.version().equals(state.tokenizerVersion())) {
            return bytes;
        }
        throw new IllegalArgumentException(
                "checkpoint uses tokenizer "
                        + state.tokenizerVersion()
                        + "; give CheckpointScorerFactory that tokenizer");
    }
}
