package io.streamlip.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which parameters of the real model AdamW decays: matrices only (SigLIP §4.5; LiT App. C). */
class WeightDecaySelectionTest {

    @Test
    void normsBiasesTemperatureAndBiasAreNeverDecayed() {
        ModelConfig config =
                ModelConfig.tiny(300).toBuilder()
                        .imagePooling(ModelConfig.ImagePooling.MAP)
                        .build();
        List<String> decayed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        try (TrainingSession s = TrainingSession.create(config, OptimizerConfig.defaults(), 0)) {
            for (Pair<String, Parameter> p : s.model().getParameters()) {
                (AdamW.decays(p.getValue()) ? decayed : kept).add(p.getKey());
            }
        }
        assertThat(kept)
                .contains("log_temperature", "bias")
                .allMatch(
                        n ->
                                n.endsWith("_bias")
                                        || n.endsWith("_gamma")
                                        || n.endsWith("_beta")
                                        || n.equals("log_temperature")
                                        || n.equals("bias"),
                        "norms, biases, t' and b");
        assertThat(decayed)
                .isNotEmpty()
                .allMatch(
                        n -> !n.endsWith("_bias") && !n.endsWith("_gamma") && !n.endsWith("_beta"))
                .anyMatch(n -> n.contains("qkv_weight"))
                .anyMatch(n -> n.contains("token_table"));
    }
}
