package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.bench.BenchOptions;
import io.streamlip.bench.EmojiLearningBenchmark;
import io.streamlip.bench.SmallBatchBenchmark;
import io.streamlip.filter.config.BlocklistConfig;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.config.TextQualityConfig;
import io.streamlip.filter.score.CrossModalConfig;
import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.emoji.EmojiEvalSet;
import io.streamlip.ingest.noise.NoiseConfig;
import io.streamlip.ingest.noise.NoiseKind;
import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.ingest.pairs.PairsFolderImporter;
import io.streamlip.monitor.MonitorConfig;
import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.flink.RestartPolicy;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.sinks.FileSinkConfig;
import io.streamlip.sinks.shards.ShardConfig;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.tokenize.subword.BpeTrainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.model.ModelConfig;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The config records of the platform, the sources, the stages, the monitor, the benchmarks and the
 * demo have one builder each: a setter named and typed as each record component (so that a JSON or
 * YAML tree can map onto it key by key), a {@code toBuilder()} that loses nothing, and no {@code
 * with…} methods beside it.
 */
class ConfigBuildersTest {

    /** One configuration of each record, every component away from its default where it can. */
    static Stream<Record> changed() {
        return Stream.of(
                FilterConfig.builder()
                        .minImageSide(20)
                        .maxImagePixels(1_000_000L)
                        .maxImageBytes(1 << 20)
                        .maxAspectRatio(4.0)
                        .minCaptionChars(3)
                        .maxCaptionChars(200)
                        .dedupRetention(Duration.ofHours(5))
                        .text(TextQualityConfig.builder().boilerplate(false).build())
                        .language(LanguageConfig.disabled())
                        .nearDuplicates(NearDuplicateConfig.builder().clusterCap(5).build())
                        .bounds(RecordBounds.builder().maxRecordBytes(100_000).build())
                        .maxDecodedPixels(4096)
                        .blocklist(BlocklistConfig.builder().maxPhashDistance(3).build())
                        .build(),
                LanguageConfig.builder()
                        .enabled(false)
                        .languages(List.of("en", "de"))
                        .minConfidence(0.5)
                        .minLetters(3)
                        .caps(Map.of("en", 7L))
                        .capWindow(Duration.ofMinutes(5))
                        .scoreShortCaptions(true)
                        .build(),
                NearDuplicateConfig.builder()
                        .maxDistance(3)
                        .clusterCap(9)
                        .evalSets(List.of("eval"))
                        .evalMaxDistance(4)
                        .evalMaxThumbnailDistance(0.2)
                        .maxThumbnailDistance(0.3)
                        .evalCropPixels(1)
                        .bucketCacheBytes(0)
                        .build(),
                TextQualityConfig.builder().boilerplate(false).blocklist(List.of("spam")).build(),
                BlocklistConfig.builder()
                        .captionTermsFile("terms.txt")
                        .imageHashesFile("images.txt")
                        .maxPhashDistance(5)
                        .followTopic(false)
                        .build(),
                CrossModalConfig.builder()
                        .thresholds(Map.of("en", 0.2))
                        .defaultThreshold(0.1)
                        .topFraction(0.5)
                        .window(30)
                        .warmup(3)
                        .build(),
                TokenizeConfig.builder()
                        .imageSize(64)
                        .pixelFormat(PixelFormat.PNG)
                        .maxTokens(16)
                        .maxImagePixels(1000)
                        .tokenizerFile("tokenizer.json")
                        .render(TextRenderConfig.defaults("unifont.hex"))
                        .bounds(RecordBounds.builder().maxRecordBytes(100_000).build())
                        .build(),
                TextRenderConfig.builder()
                        .fontFile("unifont.hex")
                        .lowercase(false)
                        .textBrightness(10)
                        .backgroundBrightness(200)
                        .spacing(2)
                        .minWidth(3)
                        .maxChars(100)
                        .build(),
                MonitorConfig.builder()
                        .interval(Duration.ofSeconds(1))
                        .window(3)
                        .historyDir(Path.of("history"))
                        .retention(Duration.ofHours(2))
                        .trainerMetricsFile(Path.of("metrics.jsonl"))
                        .requestTimeout(Duration.ofSeconds(2))
                        .maxTrainerUpdates(10)
                        .build(),
                NoiseConfig.builder()
                        .rates(Map.of(NoiseKind.BOMB, 0.5))
                        .captionsPerImage(3)
                        .memory(10)
                        .seed(7)
                        .build(),
                ShardConfig.builder()
                        .folder("shards")
                        .prefix("pairs")
                        .recordsPerShard(10)
                        .maxRecordBytes(1000)
                        .build(),
                FileSinkConfig.builder()
                        .webDatasetFolder("wds")
                        .avroFolder("avro")
                        .recordsPerShard(10)
                        .maxRecordBytes(1000)
                        .build(),
                DemoConfig.builder()
                        .training(Duration.ofMinutes(1))
                        .out(Path.of("o"))
                        .dataDir(Path.of("d"))
                        .source(DemoConfig.Source.SYNTHETIC)
                        .languages(List.of("en"))
                        .evalClasses(5)
                        .maxPairs(100)
                        .importRate(10)
                        .syntheticPairs(50)
                        .parallelism(2)
                        .decontaminate(false)
                        .filter(FilterConfig.builder().minImageSide(8).build())
                        .trainer(TrainerConfig.defaults())
                        .tokenizer("bpe:512")
                        .holdout(0.2)
                        .render(TextRenderConfig.defaults("unifont.hex"))
                        .curatedSinks(FileSinkConfig.builder().avroFolder("avro").build())
                        .exampleSinks(FileSinkConfig.builder().webDatasetFolder("wds").build())
                        .build(),
                DemoConfig.builder()
                        .source(DemoConfig.Source.FOLDER)
                        .sourceFolder(Path.of("my-pairs"))
                        .evalSet(Path.of("my-eval"))
                        .build(),
                JobSettings.builder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(500))
                        .checkpointDir("file:///cp")
                        .restartPolicy(RestartPolicy.fixed(0, Duration.ofMillis(100)))
                        .retainedCheckpoints(1)
                        .build(),
                RecordBounds.builder()
                        .maxRecordBytes(100_000)
                        .maxIdChars(1)
                        .maxSourceChars(2)
                        .maxImageUrlChars(3)
                        .maxAltTextChars(4)
                        .maxPageTitleChars(5)
                        .maxPageContextChars(6)
                        .maxAttributes(7)
                        .maxAttributeKeyChars(8)
                        .maxAttributeValueChars(9)
                        .build(),
                PipelineTopics.builder()
                        .rawPairs("r")
                        .curatedPairs("c")
                        .examples("e")
                        .rejects("x")
                        .modelUpdates("m")
                        .blocklist("b")
                        .partitions(3)
                        .replicationFactor((short) 2)
                        .build(),
                EmojiCorpus.Config.builder()
                        .vendors(List.of("google"))
                        .locales(List.of("en"))
                        .skinTones(true)
                        .keywordPairs(true)
                        .order(EmojiCorpus.Order.CATALOGUE)
                        .seed(7)
                        .crawlTime(Instant.parse("2025-01-02T03:04:05Z"))
                        .build(),
                EmojiData.Config.builder()
                        .folder(Path.of("npm"))
                        .npmCommand("/opt/npm")
                        .timeout(Duration.ofSeconds(3))
                        .build(),
                EmojiEvalSet.Config.builder()
                        .locales(List.of("en"))
                        .maxClasses(5)
                        .seed(1)
                        .skinTones(true)
                        .build(),
                PairsFolder.Bounds.builder()
                        .maxLineBytes(100)
                        .maxTextChars(50)
                        .maxFieldChars(20)
                        .maxImageBytes(1024)
                        .build(),
                PairsFolderImporter.Options.builder()
                        .strict(true)
                        .bounds(PairsFolder.Bounds.builder().maxImageBytes(1024).build())
                        .build(),
                BpeTrainer.Config.builder()
                        .vocabSize(300)
                        .minPairCount(3)
                        .capPerLanguage(100)
                        .seed(1)
                        .build(),
                BenchOptions.builder().quick(true).threads(2).limit(50).build(),
                SmallBatchBenchmark.Settings.builder()
                        .examples(64)
                        .batchSizes(List.of(8, 16))
                        .model(ModelConfig.tiny(300))
                        .learningRate(1e-3)
                        .threads(1)
                        .languages(List.of("en"))
                        .evalClasses(10)
                        .seed(1)
                        .build(),
                EmojiLearningBenchmark.Spec.builder()
                        .label("small")
                        .languages(List.of("en"))
                        .evalClasses(10)
                        .model(
                                TrainerConfig.defaults().model().toBuilder()
                                        .name("custom")
                                        .embedDim(16)
                                        .build())
                        .batchSize(8)
                        .optimizer(
                                TrainerConfig.defaults().optimizer().toBuilder()
                                        .learningRate(1e-4)
                                        .build())
                        .budget(Duration.ofSeconds(30))
                        .threads(1)
                        .passes(1)
                        .evalEvery(Duration.ofSeconds(10))
                        .seed(3)
                        .build());
    }

    /** The documented defaults of each record. */
    static Stream<Record> defaults() {
        return Stream.of(
                FilterConfig.defaults(),
                LanguageConfig.defaults(),
                NearDuplicateConfig.defaults(),
                TextQualityConfig.defaults(),
                BlocklistConfig.defaults(),
                CrossModalConfig.defaults(),
                TokenizeConfig.defaults(),
                TextRenderConfig.defaults("unifont.hex"),
                MonitorConfig.defaults(),
                NoiseConfig.defaults(),
                ShardConfig.defaults(Path.of("shards")),
                FileSinkConfig.defaults(),
                DemoConfig.defaults(),
                JobSettings.defaults(Path.of("checkpoints")),
                RecordBounds.defaults(),
                PipelineTopics.defaults(),
                EmojiCorpus.Config.defaults(),
                EmojiData.Config.defaults(Path.of("npm")),
                EmojiEvalSet.Config.defaults(),
                PairsFolder.Bounds.defaults(),
                PairsFolderImporter.Options.defaults(),
                BpeTrainer.Config.defaults(),
                BenchOptions.defaults(),
                SmallBatchBenchmark.Settings.defaults(),
                EmojiLearningBenchmark.Spec.demo(Duration.ofMinutes(6)));
    }

    @ParameterizedTest
    @MethodSource("changed")
    void eachComponentMapsOntoTheBuilderByNameAndToBuilderKeepsEverything(Record config)
            throws Exception {
        Class<?> type = config.getClass();
        assertThat(config).isNotEqualTo(anyDefaultOf(type));
        assertThat(config.getClass().getMethod("toBuilder").invoke(config))
                .extracting(ConfigBuildersTest::build)
                .isEqualTo(config);
        // Field by field, as a JSON or YAML tree would be mapped: one setter per component.
        Object builder = type.getMethod("builder").invoke(null);
        for (RecordComponent c : type.getRecordComponents()) {
            Method setter = builder.getClass().getMethod(c.getName(), c.getType());
            assertThat(setter.getReturnType()).as(c.getName()).isEqualTo(builder.getClass());
            setter.invoke(builder, c.getAccessor().invoke(config));
        }
        assertThat(build(builder)).isEqualTo(config);
    }

    @ParameterizedTest
    @MethodSource("defaults")
    void theDefaultsSurviveToBuilderAndNoWithMethodIsLeft(Record config) throws Exception {
        assertThat(build(config.getClass().getMethod("toBuilder").invoke(config)))
                .isEqualTo(config);
        assertThat(Arrays.stream(config.getClass().getMethods()))
                .extracting(Method::getName)
                .noneMatch(name -> name.matches("with[A-Z].*"));
    }

    private static Object anyDefaultOf(Class<?> type) {
        return defaults().filter(type::isInstance).findFirst().orElseThrow();
    }

    private static Object build(Object builder) {
        try {
            return builder.getClass().getMethod("build").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
