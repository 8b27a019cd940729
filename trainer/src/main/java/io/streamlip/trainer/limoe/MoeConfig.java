package io.streamlip.trainer.limoe;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * LIMoE's sparse layers: which MLPs of the shared transformer are mixtures of {@code experts}
 * experts, how tokens are routed to them (top-{@code topK}, a capacity of {@code ceil(topK · tokens
 * · capacityFactor / experts)} per expert, Batch Priority Routing) and the weights of the two
 * per-modality entropy losses, the global one active only while the modality's mean routing entropy
 * is below {@code globalEntropyThreshold} (τ, nats). The {@code moe} component of a LIMoE {@link
 * io.streamlip.trainer.model.ModelConfig}; null for the other families.
 */
@JsonDeserialize(builder = MoeConfig.Builder.class)
public record MoeConfig(
        // experts per sparse layer (1: a dense MLP behind a trivial router, the dense baseline)
        int experts,
        // experts each token is sent to (1 = top-1 routing)
        int topK,
        // per-expert buffer as a multiple of an even share of the token assignments
        double capacityFactor,
        // indices (from 0) of the transformer blocks whose MLP is a mixture of experts
        List<Integer> moeLayers,
        // whether the most confident tokens fill the buffers first (else token order)
        boolean batchPriorityRouting,
        // weight of the local entropy loss (mean per-token routing entropy, minimised)
        double localLossWeight,
        // weight of the global entropy loss (max(0, τ - entropy of the mean routing))
        double globalLossWeight,
        // τ in nats: the global loss acts only while the mean routing's entropy is below it
        double globalEntropyThreshold) {

    /** Most experts one layer may have. */
    public static final int MAX_EXPERTS = 256;

    public MoeConfig {
        if (experts < 1 || experts > MAX_EXPERTS) {
            throw new IllegalArgumentException(
                    "experts must be in [1, " + MAX_EXPERTS + "], got " + experts);
        }
        if (topK < 1 || topK > experts) {
            throw new IllegalArgumentException(
                    "topK must be in [1, experts=" + experts + "], got " + topK);
        }
        if (!(capacityFactor > 0) || capacityFactor > experts) {
            throw new IllegalArgumentException(
                    "capacityFactor must be in (0, experts], got " + capacityFactor);
        }
        if (moeLayers == null || moeLayers.isEmpty()) {
            throw new IllegalArgumentException("moeLayers must name at least one block");
        }
        moeLayers = List.copyOf(moeLayers);
        for (int i = 0; i < moeLayers.size(); i++) {
            if (moeLayers.get(i) < 0 || (i > 0 && moeLayers.get(i) <= moeLayers.get(i - 1))) {
                throw new IllegalArgumentException(
                        "moeLayers must be increasing block indices >= 0, got " + moeLayers);
            }
        }
        nonNegative("localLossWeight", localLossWeight);
        nonNegative("globalLossWeight", globalLossWeight);
        nonNegative("globalEntropyThreshold", globalEntropyThreshold);
        if (globalEntropyThreshold > Math.log(experts) + 1e-9) {
            throw new IllegalArgumentException(
                    "globalEntropyThreshold "
                            + globalEntropyThreshold
                            + " exceeds the largest entropy over "
                            + experts
                            + " experts, log "
                            + experts
                            + " = "
                            + Math.log(experts));
        }
    }

    /**
     * The blocks 1, 3, 5, ... below {@code depth}: every other MLP, as V-MoE and LIMoE place them.
     */
    public static List<Integer> everyOther(int depth) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i < depth; i += 2) {
            out.add(i);
        }
        return out.isEmpty() ? List.of(0) : out;
    }

    /** Whether block {@code index} has a mixture-of-experts MLP. */
    public boolean isMoe(int index) {
        return moeLayers.contains(index);
    }

    /** Buffer slots per expert for {@code tokens} routed tokens. */
    public int capacity(int tokens) {
        return capacity(tokens, topK, experts, capacityFactor);
    }

    /** {@code ceil(k · tokens · factor / experts)}, at least 1 when there are tokens. */
    public static int capacity(int tokens, int k, int experts, double factor) {
        if (tokens == 0) {
            return 0;
        }
        return Math.max(1, (int) Math.ceil((double) k * tokens * factor / experts - 1e-9));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .experts(experts)
                .topK(topK)
                .capacityFactor(capacityFactor)
                .moeLayers(moeLayers)
                .batchPriorityRouting(batchPriorityRouting)
                .localLossWeight(localLossWeight)
                .globalLossWeight(globalLossWeight)
                .globalEntropyThreshold(globalEntropyThreshold);
    }

    /**
     * Defaults: 8 experts, top-1, capacity factor 1.0, blocks 1 and 3 sparse, Batch Priority
     * Routing on, both loss weights 0.1, τ = 0.9 · log 8 (the paper's exact values are not known
     * here: seeds.md §5).
     */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private int experts = 8;
        private int topK = 1;
        private double capacityFactor = 1.0;
        private List<Integer> moeLayers = List.of(1, 3);
        private boolean batchPriorityRouting = true;
        private double localLossWeight = 0.1;
        private double globalLossWeight = 0.1;
        private Double globalEntropyThreshold;

        private Builder() {}

        public Builder experts(int v) {
            experts = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder capacityFactor(double v) {
            capacityFactor = v;
            return this;
        }

        public Builder moeLayers(List<Integer> v) {
            moeLayers = v;
            return this;
        }

        public Builder batchPriorityRouting(boolean v) {
            batchPriorityRouting = v;
            return this;
        }

        public Builder localLossWeight(double v) {
            localLossWeight = v;
            return this;
        }

        public Builder globalLossWeight(double v) {
            globalLossWeight = v;
            return this;
        }

        /** τ in nats; unset means 0.9 · log(experts). */
        public Builder globalEntropyThreshold(double v) {
            globalEntropyThreshold = v;
            return this;
        }

        public MoeConfig build() {
            return new MoeConfig(
                    experts,
                    topK,
                    capacityFactor,
                    moeLayers,
                    batchPriorityRouting,
                    localLossWeight,
                    globalLossWeight,
                    globalEntropyThreshold != null
                            ? globalEntropyThreshold
                            : 0.9 * Math.log(Math.max(experts, 1)));
        }
    }

    private static void nonNegative(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be finite and >= 0, got " + value);
        }
    }
}
