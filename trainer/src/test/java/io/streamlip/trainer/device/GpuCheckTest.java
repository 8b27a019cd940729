package io.streamlip.trainer.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GpuCheckTest {

    @Test
    void theFullCheckIsB16At256WithTheLossAt4096OnAGpu() {
        GpuCheck.Options o = GpuCheck.Options.parse();
        assertThat(o.smoke()).isFalse();
        assertThat(o.device()).isEqualTo(DeviceChoice.GPU);
        assertThat(o.model()).isEqualTo("b16");
        assertThat(o.batch()).isEqualTo(256);
        assertThat(o.lossBatch()).isEqualTo(4096);
        assertThat(o.lossChunks()).isEqualTo(8);
        assertThat(o.steps()).isGreaterThanOrEqualTo(3);
        assertThat(o.warmup()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void smokeIsTinyOnAnyDeviceAndOptionsOverrideItsDefaults() {
        GpuCheck.Options smoke = GpuCheck.Options.parse("--smoke");
        assertThat(smoke.model()).isEqualTo("tiny");
        assertThat(smoke.device()).isEqualTo(DeviceChoice.AUTO);
        assertThat(smoke.batch()).isLessThan(64);

        GpuCheck.Options o =
                GpuCheck.Options.parse(
                        "--batch",
                        "8",
                        "--smoke",
                        "--device",
                        "cpu",
                        "--loss-batch",
                        "64",
                        "--loss-chunks",
                        "2",
                        "--steps",
                        "2",
                        "--warmup",
                        "0",
                        "--model",
                        "small");
        assertThat(o.smoke()).isTrue();
        assertThat(o.batch()).isEqualTo(8);
        assertThat(o.device()).isEqualTo(DeviceChoice.CPU);
        assertThat(o.lossBatch()).isEqualTo(64);
        assertThat(o.lossChunks()).isEqualTo(2);
        assertThat(o.steps()).isEqualTo(2);
        assertThat(o.warmup()).isZero();
        assertThat(o.model()).isEqualTo("small");
    }

    @Test
    void badOptionsAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> GpuCheck.Options.parse("--batch", "0"))
                .hasMessageContaining("--batch");
        assertThatThrownBy(() -> GpuCheck.Options.parse("--batch", "x"))
                .hasMessageContaining("--batch");
        assertThatThrownBy(() -> GpuCheck.Options.parse("--loss-chunks", "1"))
                .hasMessageContaining("--loss-chunks");
        assertThatThrownBy(() -> GpuCheck.Options.parse("--frobnicate", "3"))
                .hasMessageContaining("--frobnicate");
        assertThatThrownBy(() -> GpuCheck.Options.parse("--steps")).hasMessageContaining("--steps");
        assertThatThrownBy(() -> GpuCheck.Options.parse("--device", "tpu"))
                .hasMessageContaining("auto, cpu or gpu");
        assertThatThrownBy(() -> GpuCheck.Options.parse("--batch", "100000"))
                .hasMessageContaining("batch <= 65536");
    }

    @Test
    void randomBatchesFitTheModelAndEndEveryCaptionWithEos() {
        ModelConfig model = ModelConfig.preset("tiny", 300);
        TrainingBatch batch = GpuCheck.randomBatch(model, 5, new Random(3));
        int context = model.contextLength();
        assertThat(batch.size()).isEqualTo(5);
        for (float v : batch.images()) {
            assertThat(v).isBetween(-1f, 1f);
        }
        for (int i = 0; i < 5; i++) {
            int length = 0;
            while (length < context && batch.mask()[i * context + length] == 1f) {
                length++;
            }
            assertThat(length).isBetween(4, context);
            assertThat(batch.tokenIds()[i * context + length - 1]).isEqualTo(1);
            for (int j = 0; j < length - 1; j++) {
                assertThat(batch.tokenIds()[i * context + j]).isBetween(2, 299);
            }
        }
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(GpuCheck.median(new double[] {5, 1, 3})).isEqualTo(3);
        assertThat(GpuCheck.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }
}
