package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamlip.bench.pytorch.PytorchTwin;
import io.streamlip.bench.pytorch.SystemPytorch;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The PyTorch twin and the comparison, with the tiny model. Needs {@code python3-torch} on the
 * system Python (the benchmark installs it; these tests only use it when it is there).
 */
class TrainerVsPytorchBenchmarkTest {
    private static final int VOCAB = new ByteTokenizer(32).vocabSize();

    private static void assumeTorch() {
        assumeTrue(SystemPytorch.debian().available(), "python3-torch is not installed");
    }

    @Test
    @Timeout(300)
    @Tag("integration")
    void theTwinHasExactlyTheDjlModelsParametersWithLastTokenPooling() throws Exception {
        assumeTorch();
        TrainingSession.setThreads(1);
        // MEAN pooling (the presets' default) is checked by the comparison test below.
        for (ModelConfig.TextPooling pooling : List.of(ModelConfig.TextPooling.LAST)) {
            ModelConfig model = ModelConfig.tiny(VOCAB).toBuilder().textPooling(pooling).build();
            try (TrainingSession djl =
                            TrainingSession.create(model, OptimizerConfig.defaults(), 1);
                    PytorchTwin twin =
                            PytorchTwin.start(
                                    Path.of("/usr/bin/python3"),
                                    model,
                                    8,
                                    1,
                                    1,
                                    OptimizerConfig.defaults())) {
                assertThat(twin.parameters())
                        .as("parameters with %s pooling", pooling)
                        .isEqualTo(TrainerVsPytorchBenchmark.parameters(djl))
                        .isPositive();
                double[] ms = twin.steps(2);
                assertThat(ms).hasSize(2);
                assertThat(Math.min(ms[0], ms[1])).isPositive();
                assertThat(twin.matmulGflops(64, 2)).hasSize(2);
            }
        }
    }

    @Test
    @Timeout(600)
    @Tag("integration")
    void comparesBothSidesAlternatedAndReportsTheRatio() throws Exception {
        assumeTorch();
        TrainerVsPytorchBenchmark bench = new TrainerVsPytorchBenchmark();
        BenchResult result =
                bench.compare(
                        ModelConfig.tiny(VOCAB),
                        8,
                        1,
                        new TrainerVsPytorchBenchmark.Plan(1, 1, 2, 2, 1, 128),
                        TrainerConfig.defaults());
        var json = result.json();
        double djl = (double) json.get("djl_ms_per_step");
        double torch = (double) json.get("pytorch_ms_per_step");
        assertThat((double) json.get("ratio")).isPositive().isCloseTo(djl / torch, within());
        assertThat(json.get("parameters_djl")).isEqualTo(json.get("parameters_pytorch"));
        assertThat((double) json.get("utilisation")).isPositive();
        assertThat(result.rows()).hasSize(2);
        assertThat(result.toJson()).contains("\"ratio\"");
        assertThat(result.toTable()).contains("utilisation").contains("PyTorch");
        // What changes both sides' native speed is on record (the surefire fork leaves malloc's
        // variables unset, so they read "(unset)" here).
        assertThat((String) json.get("environment"))
                .contains("OMP_WAIT_POLICY=PASSIVE")
                .contains("MALLOC_MMAP_THRESHOLD_=")
                .contains("MALLOC_ARENA_MAX=");
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }

    @Test
    void isRegistered() {
        assertThat(Benchmarks.standard().find("trainer-vs-pytorch")).isPresent();
        assertThat(List.of(TrainerVsPytorchBenchmark.quantile(new double[] {4, 1, 3, 2}, 0.5)))
                .containsExactly(2.5);
    }
}
