package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.data.ShuffleConfig;
import io.streamlip.trainer.device.DeviceChoice;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.model.LitConfig;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@link TrainerOptions}: what {@code streamlip train} and {@code streamlip demo} build from their
 * options (parsing only, nothing trains), the errors for invalid values, and the help text.
 */
class TrainerOptionsTest {
    private static final TrainerConfig DEFAULTS = TrainerConfig.defaults();
    private static final int VOCAB = DEFAULTS.model().vocabSize();

    @Test
    void withoutOptionsTrainAndDemoUseTheTrainersDefaults() {
        assertThat(train()).isEqualTo(DEFAULTS);
        // The demo checkpoints more often (each checkpoint is a model its filter loads) and
        // shuffles in one batch (its import comes shuffled, paced by the trainer).
        assertThat(demo().trainer())
                .isEqualTo(DemoConfig.defaults().trainer())
                .isEqualTo(
                        DEFAULTS.toBuilder()
                                .checkpointEvery(DemoConfig.CHECKPOINT_EVERY)
                                .checkpointInterval(
                                        java.time.Duration.ofSeconds(
                                                DemoConfig.CHECKPOINT_INTERVAL_S))
                                .shuffle(DemoConfig.SHUFFLE)
                                .build());
        assertThat(demo().trainer().shuffle().capacity()).isEqualTo(DEFAULTS.batchSize());
        // a larger batch grows the demo's buffer to one batch; an explicit size is kept
        assertThat(demo("--batch-size=256").trainer().shuffle().capacity()).isEqualTo(256);
        assertThat(demo("--shuffle-buffer=1024").trainer().shuffle().capacity()).isEqualTo(1024);
    }

    @Test
    void everyOptionReachesTheConfig(@TempDir Path dir) {
        Path spill = dir.resolve("spill");
        TrainerConfig config =
                train(
                        "--model=tiny",
                        "--pooling=map",
                        "--text-pooling=last",
                        "--batch-size=64",
                        "--loss=chunked",
                        "--loss-chunks=4",
                        "--lr=2e-4",
                        "--warmup-steps=10",
                        "--total-steps=300",
                        "--lit-from=" + dir,
                        "--lit-cache-embeddings=false",
                        "--shuffle-buffer=512",
                        "--shuffle-heap=128",
                        "--spill-dir=" + spill,
                        "--language-weights=en=1,fr=0.5",
                        "--default-language-weight=0.25",
                        "--checkpoint-every=50",
                        "--eval-every=150",
                        "--keep-checkpoints=5",
                        "--threads=1",
                        "--prefetch-batches=3",
                        "--device=cpu");
        ModelConfig model =
                ModelConfig.tiny(VOCAB).toBuilder()
                        .imagePooling(ModelConfig.ImagePooling.MAP)
                        .textPooling(ModelConfig.TextPooling.LAST)
                        .build();
        TrainerConfig expected =
                DEFAULTS.toBuilder()
                        .model(model)
                        .batchSize(64)
                        .loss(LossConfig.chunkedSigmoid(4))
                        .optimizer(
                                DEFAULTS.optimizer().toBuilder()
                                        .learningRate(2e-4)
                                        .warmupSteps(10)
                                        .scheduleSteps(300)
                                        .build())
                        .lit(LitConfig.from(dir).toBuilder().cacheImageEmbeddings(false).build())
                        .shuffle(
                                ShuffleConfig.of(512, 128).toBuilder()
                                        .spillDir(spill)
                                        .languageWeights(Map.of("en", 1.0, "fr", 0.5))
                                        .defaultWeight(0.25)
                                        .build())
                        .checkpointDir(DEFAULTS.checkpointDir())
                        .checkpointEvery(50)
                        .keepCheckpoints(5)
                        .evalEvery(150)
                        .threads(1)
                        .prefetchBatches(3)
                        .device(DeviceChoice.CPU)
                        .build();
        assertThat(config).isEqualTo(expected);
        assertThat(config.shuffle().resumeBelow()).isEqualTo(256);
        assertThat(config.shuffle().keepProbability("fr")).isEqualTo(0.5);
        assertThat(config.shuffle().keepProbability("de")).isEqualTo(0.25);
    }

    @Test
    void prefetchIsOnByDefaultAndCanBeSwitchedOff() {
        assertThat(train().prefetchBatches()).isEqualTo(1);
        assertThat(train("--prefetch-batches=0").prefetchBatches()).isZero();
        assertThatThrownBy(() -> train("--prefetch-batches=-1"))
                .hasMessageContaining("--prefetch-batches must be 0 (off) to 8");
    }

    @Test
    void theDemoGivesTheTrainerOneThreadWhileTheJobsCurate() {
        assertThat(demo().threadsWhileCurating()).isEqualTo(1);
        DemoConfig config = demo("--threads=2", "--threads-while-curating=0");
        assertThat(config.threadsWhileCurating()).isZero();
        assertThat(config.trainer().threads()).isEqualTo(2);
        assertThatThrownBy(() -> demo("--threads-while-curating=-1"))
                .hasMessageContaining("--threads-while-curating must be 0");
    }

    @Test
    void theDemoLowersItsOtherThreadsOnceCurationIsIdleOnlyWhenAsked() {
        assertThat(demo().idleThreadPolicy()).isEqualTo(IdleThreadPolicy.AUTO);
        assertThat(demo("--idle-thread-policy=off").idleThreadPolicy())
                .isEqualTo(IdleThreadPolicy.OFF);
        assertThat(demo("--idle-thread-policy=Background").idleThreadPolicy())
                .isEqualTo(IdleThreadPolicy.BACKGROUND);
        assertThatThrownBy(() -> demo("--idle-thread-policy=low"))
                .hasMessageContaining("--idle-thread-policy must be auto, background or off");
    }

    @Test
    void theReplayCacheIsBoundedInMibAndCanBeTurnedOff() {
        assertThat(demo().trainer().shuffle().replayCacheMib()).isEqualTo(512);
        assertThat(demo("--replay-cache-mib=0").trainer().shuffle().replayCacheMib()).isZero();
        assertThat(demo("--replay-cache-mib=64").trainer().shuffle().replayCacheMib())
                .isEqualTo(64);
        assertThatThrownBy(() -> demo("--replay-cache-mib=-1"))
                .hasMessageContaining("--replay-cache-mib")
                .hasMessageContaining("replayCacheMib must be in [0, 1048576]");
    }

    @Test
    void theDemoTakesTheSameOptions() {
        DemoConfig config = demo("--model=tiny", "--loss=softmax", "--batch-size=32", "--lr=1e-3");
        assertThat(config.trainer().model()).isEqualTo(ModelConfig.tiny(VOCAB));
        assertThat(config.trainer().loss()).isEqualTo(LossConfig.softmax());
        assertThat(config.trainer().batchSize()).isEqualTo(32);
        assertThat(config.trainer().optimizer().learningRate()).isEqualTo(1e-3);
    }

    @Test
    void theDemosTokenizeStageMakesExamplesAtTheModelsImageSize() {
        DemoConfig b16 = demo("--model=b16");
        assertThat(b16.trainer().model().imageSize()).isEqualTo(224);
        TokenizeConfig tokenize = Demo.tokenizeConfig(b16, "bytes");
        assertThat(tokenize.imageSize()).isEqualTo(224);
        assertThat(tokenize.tokenizer().version()).isEqualTo("bytes-v1");
        assertThat(Demo.tokenizeConfig(demo(), "bytes").imageSize())
                .isEqualTo(DEFAULTS.model().imageSize())
                .isEqualTo(32);
    }

    @Test
    void aPresetKeepsItsPoolingUnlessTold() {
        assertThat(train("--model=b16").model()).isEqualTo(ModelConfig.b16(VOCAB));
        assertThat(train("--model=b16", "--pooling=mean").model().imagePooling())
                .isEqualTo(ModelConfig.ImagePooling.MEAN);
        assertThat(train("--loss=sigmoid").loss()).isEqualTo(LossConfig.defaults());
    }

    @Test
    void limoeOptionsOverrideThePresetsExpertsAndRouting() {
        ModelConfig preset = ModelConfig.preset("limoe-tiny", VOCAB);
        assertThat(train("--model=limoe-tiny").model()).isEqualTo(preset);
        io.streamlip.trainer.limoe.MoeConfig moe =
                train(
                                "--model=limoe-tiny",
                                "--experts=8",
                                "--top-k=2",
                                "--capacity-factor=0.5",
                                "--moe-layers=0,1",
                                "--batch-priority=false",
                                "--local-entropy-weight=0.05",
                                "--global-entropy-weight=0.2",
                                "--global-entropy-threshold=1.5")
                        .model()
                        .moe();
        assertThat(moe.experts()).isEqualTo(8);
        assertThat(moe.topK()).isEqualTo(2);
        assertThat(moe.capacityFactor()).isEqualTo(0.5);
        assertThat(moe.moeLayers()).containsExactly(0, 1);
        assertThat(moe.batchPriorityRouting()).isFalse();
        assertThat(moe.localLossWeight()).isEqualTo(0.05);
        assertThat(moe.globalLossWeight()).isEqualTo(0.2);
        assertThat(moe.globalEntropyThreshold()).isEqualTo(1.5);
        // Without --global-entropy-threshold, tau keeps its share of log E.
        double share = preset.moe().globalEntropyThreshold() / Math.log(preset.moe().experts());
        assertThat(
                        train("--model=limoe-tiny", "--experts=8")
                                .model()
                                .moe()
                                .globalEntropyThreshold())
                .isCloseTo(share * Math.log(8), org.assertj.core.api.Assertions.within(1e-9));
        assertThat(train("--model=limoe-tiny", "--experts=1").model().moe().experts()).isEqualTo(1);
        assertInvalid("apply to a LIMoE model", "--model=tiny", "--experts=4");
        assertInvalid("--model: topK", "--model=limoe-tiny", "--top-k=9");
        assertInvalid("--model: moeLayers", "--model=limoe-tiny", "--moe-layers=5");
    }

    @Test
    void aBatchLargerThanTheDefaultBufferGrowsItAsBefore() {
        TrainerConfig config = train("--batch-size=4096");
        assertThat(config.shuffle()).isEqualTo(ShuffleConfig.of(4096, 4096));
        assertThat(config.shuffle().capacity()).isEqualTo(4096);
    }

    @Test
    void invalidValuesFailWithTheOptionsName(@TempDir Path dir) {
        assertInvalid("--loss chunked needs --loss-chunks", "--loss=chunked");
        assertInvalid(
                "--loss-chunks 64 exceeds --batch-size 32",
                "--loss=chunked",
                "--loss-chunks=64",
                "--batch-size=32");
        assertInvalid(
                "--loss-chunks applies to --loss chunked", "--loss=softmax", "--loss-chunks=2");
        assertInvalid("--loss must be sigmoid, chunked or softmax", "--loss=hinge");
        assertInvalid("--model: unknown model preset 'huge'", "--model=huge");
        assertInvalid("--pooling must be mean or map, not 'max'", "--pooling=max");
        assertInvalid("--text-pooling must be mean or last", "--text-pooling=first");
        assertInvalid("--lr must be positive", "--lr=0");
        assertInvalid("--warmup-steps / --total-steps", "--total-steps=0");
        assertInvalid("--language-weights", "--language-weights=en=-1");
        assertInvalid(
                "--shuffle-buffer 16 must hold at least one batch (--batch-size 32)",
                "--shuffle-buffer=16",
                "--batch-size=32");
        assertInvalid(
                "--shuffle-heap must lie in [1, --shuffle-buffer 512]",
                "--shuffle-buffer=512",
                "--shuffle-heap=1024");
        assertInvalid("--batch-size must be at least 2", "--batch-size=1");
        assertInvalid("--eval-every must be at least 1", "--eval-every=0");
        assertInvalid("--device: device must be auto, cpu or gpu", "--device=tpu");
        assertInvalid(
                "--lit-from " + dir.resolve("none") + " is not a checkpoint folder",
                "--lit-from=" + dir.resolve("none"));
    }

    @Test
    void modelVersionsAreNamedByTheModelsFamilyUnlessTheRunIsNamed() {
        assertThat(train().resolvedRunName()).isEqualTo("siglip");
        assertThat(train("--model=limoe-small").resolvedRunName()).isEqualTo("limoe");
        assertThat(demo("--model=limoe-tiny").trainer().resolvedRunName()).isEqualTo("limoe");
        assertThat(demo("--model=captioner-small").trainer().resolvedRunName())
                .isEqualTo("captioner");
        assertThat(train("--model=limoe-small", "--run-name=ablation-3").resolvedRunName())
                .isEqualTo("ablation-3");
        assertInvalid(
                "--run-name must be 1 to " + TrainerConfig.MAX_RUN_NAME_CHARS + " characters",
                "--run-name=" + "r".repeat(TrainerConfig.MAX_RUN_NAME_CHARS + 1));
    }

    @Test
    void theCommandLineReportsAnInvalidValueAsAUsageError() {
        DemoCommandTest.Run run =
                DemoCommandTest.run("train", "--bootstrap=127.0.0.1:9", "--language-weights=en:1");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--language-weights").contains("en:1");

        run =
                DemoCommandTest.run(
                        "train",
                        "--bootstrap=127.0.0.1:9",
                        "--loss=chunked",
                        "--loss-chunks=8",
                        "--batch-size=4");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err())
                .contains("--loss-chunks 8 exceeds --batch-size 4")
                .contains("Usage: streamlip train");
    }

    @Test
    void helpShowsEveryDefaultFromTheConfigs() {
        // Help wraps its lines: compare with single spaces.
        String help = help("train").replaceAll("\\s+", " ");
        assertThat(help)
                .contains("--model=PRESET")
                .contains("(default: " + DEFAULTS.model().name() + ")")
                .contains("(default: " + DEFAULTS.batchSize() + ")")
                .contains("(default: " + DEFAULTS.optimizer().learningRate() + ")")
                .contains("(default: " + DEFAULTS.optimizer().warmupSteps() + ")")
                .contains("(default: " + DEFAULTS.optimizer().scheduleSteps() + ")")
                .contains("(default: " + DEFAULTS.shuffle().capacity() + ", or")
                .contains("(default: " + DEFAULTS.shuffle().memoryCapacity() + ";")
                .contains("(default: " + DEFAULTS.checkpointEvery() + ")")
                .contains("(default: " + DEFAULTS.evalEvery() + ")")
                .contains("(default: " + DEFAULTS.keepCheckpoints() + ")")
                .contains("(default: sigmoid)")
                .contains("--lit-cache-embeddings=true|false")
                .doesNotContain("null");
        // Every preset is named in --model's help.
        assertThat(ModelConfig.presetNames()).allSatisfy(p -> assertThat(help).contains(p));
        // The pooling defaults are written out; they must be the presets'.
        for (String preset : List.of("tiny", "small", "b16")) {
            ModelConfig m = ModelConfig.preset(preset, VOCAB);
            assertThat(help)
                    .contains(preset + " " + m.imagePooling().name().toLowerCase(Locale.ROOT))
                    .contains(preset + " " + m.textPooling().name().toLowerCase(Locale.ROOT));
        }
        assertThat(help("demo")).contains("--loss-chunks=N").contains("--language-weights");
    }

    private static void assertInvalid(String message, String... args) {
        assertThatThrownBy(() -> train(args))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining(message);
    }

    /** What {@code streamlip train ARGS} would train with (a dummy broker: nothing connects). */
    static TrainerConfig train(String... args) {
        TrainCommand command = new TrainCommand();
        new CommandLine(command)
                .parseArgs(
                        Stream.concat(Stream.of("--bootstrap=127.0.0.1:9"), Stream.of(args))
                                .toArray(String[]::new));
        return command.trainerConfig();
    }

    static DemoConfig demo(String... args) {
        DemoCommand command = new DemoCommand();
        new CommandLine(command).parseArgs(args);
        return command.demoConfig();
    }

    private static String help(String command) {
        DemoCommandTest.Run run = DemoCommandTest.run(command, "--help");
        assertThat(run.code()).isZero();
        return run.out();
    }
}
