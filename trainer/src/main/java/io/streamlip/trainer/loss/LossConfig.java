package io.streamlip.trainer.loss;

/**
 * Which contrastive loss trains the model, and in how many chunks the sigmoid loss is computed.
 *
 * @param kind the loss (default {@link Kind#SIGMOID})
 * @param chunks for the sigmoid loss, the number of parts the batch is split into: the logit matrix
 *     is then computed one (B/chunks)² block at a time, never whole ({@link ChunkedSigmoidLoss}); 1
 *     computes it whole (default 1). Must be 1 for the softmax loss
 */
public record LossConfig(Kind kind, int chunks) {

    /** The loss functions. */
    public enum Kind {
        /** SigLIP's pairwise sigmoid loss ({@link SigmoidLoss}). */
        SIGMOID,
        /** CLIP's softmax (InfoNCE) loss, the baseline ({@link SoftmaxLoss}). */
        SOFTMAX
    }

    public LossConfig {
        if (kind == null) {
            throw new IllegalArgumentException("the loss kind must be set");
        }
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be at least 1, got " + chunks);
        }
        if (kind == Kind.SOFTMAX && chunks != 1) {
            throw new IllegalArgumentException(
                    "the softmax loss has no chunked form here (it needs whole rows and columns);"
                            + " chunks must be 1, got "
                            + chunks);
        }
    }

    /** The documented defaults: the whole-matrix sigmoid loss. */
    public static LossConfig defaults() {
        return new LossConfig(Kind.SIGMOID, 1);
    }

    /** The sigmoid loss computed in {@code chunks} x {@code chunks} blocks. */
    public static LossConfig chunkedSigmoid(int chunks) {
        return new LossConfig(Kind.SIGMOID, chunks);
    }

    /** CLIP's softmax loss. */
    public static LossConfig softmax() {
        return new LossConfig(Kind.SOFTMAX, 1);
    }

    /** Whether the step runs the two-phase (chunked) backward. */
    public boolean chunked() {
        return kind == Kind.SIGMOID && chunks > 1;
    }
}
