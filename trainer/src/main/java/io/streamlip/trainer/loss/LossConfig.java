package io.streamlip.trainer.loss;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;

/**
 * Which contrastive loss trains the model, and in how many chunks the sigmoid loss is computed.
 * JSON maps onto its {@link #builder()} (the documented defaults) by component name.
 *
 * @param kind the loss (default {@link Kind#SIGMOID})
 * @param chunks for the sigmoid loss, the number of parts the batch is split into: the logit matrix
 *     is then computed one (B/chunks)² block at a time, never whole ({@link ChunkedSigmoidLoss}); 1
 *     computes it whole (default 1). Must be 1 for the softmax loss
 */
@JsonDeserialize(builder = LossConfig.Builder.class)
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
        return builder().build();
    }

    /** The sigmoid loss computed in {@code chunks} x {@code chunks} blocks. */
    public static LossConfig chunkedSigmoid(int chunks) {
        return builder().chunks(chunks).build();
    }

    /** CLIP's softmax loss. */
    public static LossConfig softmax() {
        return builder().kind(Kind.SOFTMAX).build();
    }

    /** Whether the step runs the two-phase (chunked) backward. */
    public boolean chunked() {
        return kind == Kind.SIGMOID && chunks > 1;
    }

    /** A builder holding the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder().kind(kind).chunks(chunks);
    }

    /** Sets components one by one; {@link #build} validates them together. */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private Kind kind = Kind.SIGMOID;
        private int chunks = 1;

        private Builder() {}

        public Builder kind(Kind v) {
            kind = v;
            return this;
        }

        public Builder chunks(int v) {
            chunks = v;
            return this;
        }

        public LossConfig build() {
            return new LossConfig(kind, chunks);
        }
    }
}
