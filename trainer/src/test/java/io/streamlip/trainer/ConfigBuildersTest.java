package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.streamlip.trainer.data.ShuffleConfig;
import io.streamlip.trainer.device.DeviceChoice;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.model.LitConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trainer's config records and their builders: one builder method per component, of the
 * component's name and type, so a JSON (or YAML) tree maps onto them key by key; missing keys keep
 * the documented defaults.
 */
class ConfigBuildersTest {
    private static final List<Class<? extends Record>> CONFIGS =
            List.of(
                    TrainerConfig.class,
                    ModelConfig.class,
                    LitConfig.class,
                    OptimizerConfig.class,
                    ShuffleConfig.class,
                    LossConfig.class);

    @Test
    void everyComponentHasABuilderMethodOfItsNameAndType() throws Exception {
        for (Class<? extends Record> config : CONFIGS) {
            Class<?> builder = config.getMethod("builder").getReturnType();
            assertThat(config.getMethod("toBuilder").getReturnType()).isEqualTo(builder);
            for (RecordComponent c : config.getRecordComponents()) {
                Method set = builder.getMethod(c.getName(), c.getType());
                assertThat(set.getReturnType()).as(config + "." + c).isEqualTo(builder);
                assertThat(Modifier.isPublic(set.getModifiers())).isTrue();
            }
        }
    }

    @Test
    void noConfigHasWithMethods() {
        for (Class<? extends Record> config : CONFIGS) {
            for (Method m : config.getMethods()) {
                assertThat(m.getName()).as(config.getSimpleName()).doesNotMatch("with[A-Z].*");
            }
        }
    }

    @Test
    void toBuilderKeepsEveryValue() {
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(ModelConfig.tiny(300))
                        .batchSize(8)
                        .threads(1)
                        .evalSet(Path.of("eval"))
                        .lit(LitConfig.from(Path.of("ckpt")))
                        .loss(LossConfig.chunkedSigmoid(2))
                        .device(DeviceChoice.CPU)
                        .shuffle(
                                ShuffleConfig.builder()
                                        .capacity(64)
                                        .memoryCapacity(32)
                                        .resumeBelow(16)
                                        .languageWeights(Map.of("en", 1.0))
                                        .defaultWeight(0.5)
                                        .build())
                        .build();
        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(config.model().toBuilder().build()).isEqualTo(config.model());
        assertThat(config.optimizer().toBuilder().build()).isEqualTo(config.optimizer());
        assertThat(config.shuffle().toBuilder().build()).isEqualTo(config.shuffle());
        assertThat(config.loss().toBuilder().build()).isEqualTo(config.loss());
        assertThat(config.lit().toBuilder().build()).isEqualTo(config.lit());
    }

    @Test
    void theBuildersStartFromTheDocumentedDefaults() {
        assertThat(TrainerConfig.builder().build()).isEqualTo(TrainerConfig.defaults());
        assertThat(OptimizerConfig.builder().build())
                .isEqualTo(new OptimizerConfig(1e-3, 1e-5, 100, 5000, 0.9, 0.95, 1e-8, 1e-4, 1.0));
        assertThat(ShuffleConfig.builder().build())
                .isEqualTo(new ShuffleConfig(2048, 1024, 1024, null, Map.of(), 1.0, 512));
        assertThat(LossConfig.builder().build())
                .isEqualTo(new LossConfig(LossConfig.Kind.SIGMOID, 1));
        assertThat(LitConfig.from(Path.of("c")))
                .isEqualTo(new LitConfig(Path.of("c"), true, 100_000));
        TrainerConfig d = TrainerConfig.defaults();
        assertThat(d.optimizer())
                .isEqualTo(new OptimizerConfig(5e-4, 1e-5, 100, 5000, 0.9, 0.95, 1e-8, 1e-4, 1.0));
        assertThat(List.of(d.batchSize(), d.checkpointEvery(), d.evalEvery(), d.keepCheckpoints()))
                .containsExactly(128, 200, 1000, 3);
        assertThat(List.of(d.seed(), d.threads(), d.logEvery())).containsExactly(42, 2, 10);
        assertThat(d.model()).isEqualTo(ModelConfig.small(d.tokenizer().vocabSize()));
        assertThat(d.tokenizerVersion()).isEqualTo("bytes-v1");
        assertThat(d.checkpointDir()).isEqualTo(Path.of("checkpoints"));
        assertThat(List.of(d.consumerGroup(), d.resolvedRunName()))
                .containsExactly("streamlip-trainer", "siglip");
        assertThat(d.runName()).isNull(); // the model family's name
        assertThat(d.pollTimeout()).hasSeconds(1);
        assertThat(d.device()).isEqualTo(DeviceChoice.AUTO);
        assertThat(d.shuffle()).isEqualTo(ShuffleConfig.defaults());
        assertThat(d.loss()).isEqualTo(LossConfig.defaults());
        assertThat(d.evalSet()).isNull();
        assertThat(d.replayAfterIdle()).isNull();
        assertThat(d.lit()).isNull();
        assertThat(d.metricsFile()).isNull();
    }

    @Test
    void aJsonTreeMapsOntoTheBuildersKeyByKey() throws Exception {
        ObjectMapper json = new ObjectMapper();
        TrainerConfig read =
                json.readValue(
                        """
                        {"batchSize": 64, "evalEvery": 150, "device": "CPU",
                         "checkpointDir": "runs/a",
                         "optimizer": {"learningRate": 2e-4, "scheduleSteps": 300},
                         "loss": {"chunks": 4},
                         "shuffle": {"capacity": 512, "memoryCapacity": 128, "resumeBelow": 256},
                         "lit": {"imageCheckpoint": "ckpt", "cacheImageEmbeddings": false}}
                        """,
                        TrainerConfig.class);
        TrainerConfig expected =
                TrainerConfig.builder()
                        .batchSize(64)
                        .evalEvery(150)
                        .device(DeviceChoice.CPU)
                        .checkpointDir(Path.of("runs/a"))
                        .optimizer(
                                OptimizerConfig.builder()
                                        .learningRate(2e-4)
                                        .scheduleSteps(300)
                                        .build())
                        .loss(LossConfig.chunkedSigmoid(4))
                        .shuffle(ShuffleConfig.of(512, 128))
                        .lit(
                                LitConfig.builder()
                                        .imageCheckpoint(Path.of("ckpt"))
                                        .cacheImageEmbeddings(false)
                                        .build())
                        .build();
        assertThat(read).isEqualTo(expected);
        ModelConfig b16 = ModelConfig.b16(32_000);
        assertThat(json.readValue(json.writeValueAsString(b16), ModelConfig.class)).isEqualTo(b16);
    }

    @Test
    void anUnknownKeyOrAnInvalidValueIsRefused() {
        ObjectMapper json = new ObjectMapper();
        assertThatThrownBy(() -> json.readValue("{\"batchSzie\": 4}", TrainerConfig.class))
                .isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("batchSzie");
        assertThatThrownBy(() -> json.readValue("{\"batchSize\": 1}", TrainerConfig.class))
                .hasMessageContaining("batchSize must be at least 2");
    }
}
