package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import org.junit.jupiter.api.Test;

/** The name of a run's model versions: the model family's unless the user names the run. */
class RunNameTest {
    private static final int VOCAB = LearningFixture.TOKENIZER.vocabSize();

    private static TrainerConfig withModel(String preset) {
        return TrainerConfig.builder().model(ModelConfig.preset(preset, VOCAB)).build();
    }

    @Test
    void eachFamilyNamesItsModelVersionsAfterItself() {
        assertThat(withModel("tiny").resolvedRunName()).isEqualTo("siglip");
        assertThat(withModel("clippo-tiny").resolvedRunName()).isEqualTo("clippo");
        assertThat(withModel("limoe-tiny").resolvedRunName()).isEqualTo("limoe");
        assertThat(withModel("captioner-tiny").resolvedRunName()).isEqualTo("captioner");
        for (ModelFamily family : ModelFamily.values()) {
            assertThat(TrainerConfig.familyRunName(family)).isNotBlank();
        }
    }

    @Test
    void aNameTheUserSetIsKeptWhateverTheModel() {
        TrainerConfig named = withModel("limoe-tiny").toBuilder().runName("ablation-3").build();
        assertThat(named.resolvedRunName()).isEqualTo("ablation-3");
        assertThat(
                        named.toBuilder()
                                .model(ModelConfig.preset("clippo-tiny", VOCAB))
                                .build()
                                .resolvedRunName())
                .isEqualTo("ablation-3");
    }

    @Test
    void anUnsetNameFollowsTheModelSetLater() {
        // As `streamlip train --model limoe-small` builds its config: the defaults, then the
        // model.
        TrainerConfig config =
                TrainerConfig.defaults().toBuilder()
                        .model(ModelConfig.preset("limoe-small", VOCAB))
                        .build();
        assertThat(config.runName()).isNull();
        assertThat(config.resolvedRunName()).isEqualTo("limoe");
    }

    @Test
    void theLongestNameStillMakesAVersionWithinTheRecordsBound() {
        String longest = "r".repeat(TrainerConfig.MAX_RUN_NAME_CHARS);
        TrainerConfig config = withModel("tiny").toBuilder().runName(longest).build();
        String version =
                config.resolvedRunName() + "/" + CheckpointStore.folderName(Long.MAX_VALUE);
        assertThat(version.length()).isLessThanOrEqualTo(RecordBounds.MAX_MODEL_VERSION_CHARS);
        assertThatThrownBy(() -> config.toBuilder().runName(longest + "r").build())
                .hasMessageStartingWith("runName must be 1 to " + TrainerConfig.MAX_RUN_NAME_CHARS);
        assertThatThrownBy(() -> config.toBuilder().runName("  ").build())
                .hasMessageContaining("blank");
    }
}
