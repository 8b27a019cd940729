package io.streamlip.trainer.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.StopCondition;
import io.streamlip.trainer.Trainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.checkpoint.CheckpointListener;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevicesTest {

    @Test
    void autoPicksTheGpuOnlyWhenOneIsSeen() {
        assertThat(Devices.select(DeviceChoice.AUTO, 0)).isEqualTo(Device.cpu());
        assertThat(Devices.select(DeviceChoice.AUTO, 2)).isEqualTo(Device.gpu(0));
        assertThat(Devices.select(DeviceChoice.CPU, 2)).isEqualTo(Device.cpu());
        assertThat(Devices.select(DeviceChoice.GPU, 1)).isEqualTo(Device.gpu(0));
    }

    @Test
    void onThisCpuBuildAutoIsTheCpuAndGpuFailsSayingWhatToDo() {
        // With the default pytorch-native-cpu jar the engine sees no GPU on any machine; a
        // build with -Pcuda on a CUDA host skips this.
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "a GPU is visible");
        assertThat(Devices.select(DeviceChoice.AUTO)).isEqualTo(Device.cpu());
        assertThat(Devices.select(DeviceChoice.CPU)).isEqualTo(Device.cpu());
        assertThatThrownBy(() -> Devices.select(DeviceChoice.GPU))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sees no GPU")
                .hasMessageContaining("-Pcuda")
                .hasMessageContaining("PYTORCH_LIBRARY_PATH");
    }

    @Test
    void aTrainerAskedForTheGpuFailsBeforeItTrains(@TempDir Path temp) {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "a GPU is visible");
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(ModelConfig.tiny(new ByteTokenizer(32).vocabSize()))
                        .threads(1)
                        .checkpointDir(temp)
                        .checkpointEvery(1000)
                        .keepCheckpoints(1)
                        .device(DeviceChoice.GPU)
                        .build();
        assertThat(TrainerConfig.defaults().device()).isEqualTo(DeviceChoice.AUTO);
        BatchSource empty = wait -> Optional.empty();
        try (Trainer trainer = Trainer.create(config, empty, CheckpointListener.none())) {
            assertThatThrownBy(() -> trainer.run(StopCondition.after(Duration.ofSeconds(5))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("--device gpu");
        }
    }

    @Test
    void parsesTheCommandLineSpelling() {
        assertThat(DeviceChoice.parse("gpu")).isEqualTo(DeviceChoice.GPU);
        assertThat(DeviceChoice.parse(" Auto ")).isEqualTo(DeviceChoice.AUTO);
        assertThatThrownBy(() -> DeviceChoice.parse("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, cpu or gpu");
    }
}
