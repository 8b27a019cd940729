package io.streamlip.tokenize;

import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.FitRejects;
import io.streamlip.platform.flink.JobArguments;
import io.streamlip.platform.flink.JobConfigFile;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.platform.kafka.PipelineSources;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.Reject;
import io.streamlip.sinks.FileSinkArguments;
import io.streamlip.sinks.FileSinkConfig;
import io.streamlip.sinks.FileSinks;
import io.streamlip.sinks.KafkaSinks;
import io.streamlip.tokenize.render.BitmapFont;
import io.streamlip.tokenize.render.TextRenderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokenize job, {@code curated-pairs -> examples (+ rejects)}: decode each Kafka record as a
 * {@code CuratedPair}, build a training example ({@link ExampleBuilder}), and send every refusal to
 * the rejects sink with stage {@value #STAGE}. Stateless, so it scales with parallelism.
 *
 * <p>Same shape as the filter job: {@link #wire} takes the source stream and sinks, {@link #attach}
 * wires the pipeline's topics, {@link #main} runs it alone.
 */
public final class TokenizeJob {
    private static final Logger LOG = LoggerFactory.getLogger(TokenizeJob.class);

    /** The stage name in rejects, metrics and operator ids. */
    public static final String STAGE = "tokenize";

    /** The job's own option (besides {@link JobArguments}'): the tokenizer spec. */
    static final String TOKENIZER_OPTION = "tokenizer";

    /**
     * The job's own option: the examples' image side in pixels, which must be the trained model's
     * ({@code streamlip train --model b16}: 224).
     */
    public static final String IMAGE_SIZE_OPTION = "image-size";

    /**
     * {@code true|false}: render each caption into {@code Example.rendered_text} (CLIPPO, {@link
     * TokenizeConfig#render}) with the font of {@value #RENDER_FONT_OPTION}, else the one {@link
     * BitmapFont#locate} finds where {@code main} runs.
     */
    public static final String RENDER_TEXT_OPTION = "render-text";

    /**
     * {@code FILE}: the GNU Unifont {@code .hex} or {@code .hex.gz} file to render with, read where
     * {@code main} runs and carried inside the operator.
     */
    public static final String RENDER_FONT_OPTION = "render-font";

    /**
     * {@code DIR}: WebDataset shards of the examples beside the examples topic, with {@code
     * --shard-records N} and {@code --shard-max-record-bytes N} ({@link FileSinkArguments}).
     */
    public static final String EXAMPLES_WEBDATASET_OPTION = "examples-webdataset-dir";

    /** {@code DIR}: Avro container files of the examples beside the examples topic. */
    public static final String EXAMPLES_AVRO_OPTION = "examples-avro-dir";

    private TokenizeJob() {}

    /**
     * Builds the operators on {@code curated} and writes their outputs to the given sinks.
     *
     * @return the examples stream, for more sinks (e.g. {@code FileSinks.addAvro})
     */
    public static DataStream<Example> wire(
            DataStream<KafkaEnvelope> curated,
            TokenizeConfig config,
            Sink<Example> exampleSink,
            Sink<Reject> rejectSink) {
        return wire(curated, config, FileSinkConfig.defaults(), exampleSink, rejectSink);
    }

    /**
     * As {@link #wire(DataStream, TokenizeConfig, Sink, Sink)}, also writing the examples to the
     * file sinks {@code fileSinks} turns on ({@link FileSinks#addExamples}); what they refuse goes
     * to {@code rejectSink}.
     */
    public static DataStream<Example> wire(
            DataStream<KafkaEnvelope> curated,
            TokenizeConfig config,
            FileSinkConfig fileSinks,
            Sink<Example> exampleSink,
            Sink<Reject> rejectSink) {
        SingleOutputStreamOperator<Example> examples =
                curated.process(
                                new TokenizeFunction(new ExampleBuilder(config)),
                                EnvelopeStage.avroType(Example.class))
                        .name("tokenize")
                        .uid(STAGE + "-tokenize");
        examples.sinkTo(exampleSink).name("examples-sink").uid(STAGE + "-examples-sink");
        DataStream<Reject> rejects = examples.getSideOutput(EnvelopeStage.rejects(STAGE));
        Optional<DataStream<Reject>> unwritable = FileSinks.addExamples(examples, fileSinks, STAGE);
        if (unwritable.isPresent()) {
            rejects = rejects.union(unwritable.get());
        }
        // Examples were size-checked when built; a reject is fitted whichever stage built it.
        FitRejects.attach(rejects, STAGE, config.bounds().maxRecordBytes())
                .sinkTo(rejectSink)
                .name("rejects-sink")
                .uid(STAGE + "-rejects-sink");
        return examples;
    }

    /**
     * Adds the tokenizer to {@code env}, reading {@code topics.curatedPairs()} as consumer group
     * {@code streamlip-tokenize-<curated topic>} ({@link PipelineSources#consumerGroup}) and
     * writing {@code topics.examples()} and {@code topics.rejects()} exactly once. Attach it next
     * to {@code FilterJob.attach} to run both as one Flink job: the two meet only through the
     * curated topic, so each restarts from its own offsets.
     *
     * @param bounded stop at the curated topic's end as of the start (tests, one-shot runs; when
     *     the filter runs in the same job, an unbounded tokenizer is what sees its output)
     */
    public static DataStream<Example> attach(
            StreamExecutionEnvironment env,
            KafkaClients kafka,
            PipelineTopics topics,
            TokenizeConfig config,
            boolean bounded) {
        return attach(env, kafka, topics, config, bounded, FileSinkConfig.defaults());
    }

    /**
     * As {@link #attach(StreamExecutionEnvironment, KafkaClients, PipelineTopics, TokenizeConfig,
     * boolean)}, also writing the examples as the WebDataset or Avro shards {@code fileSinks} turns
     * on (in folders every TaskManager can write); what they refuse goes to the rejects topic.
     */
    public static DataStream<Example> attach(
            StreamExecutionEnvironment env,
            KafkaClients kafka,
            PipelineTopics topics,
            TokenizeConfig config,
            boolean bounded,
            FileSinkConfig fileSinks) {
        DataStream<KafkaEnvelope> curated =
                PipelineSources.read(env, kafka, topics.curatedPairs(), STAGE, bounded);
        return wire(
                curated,
                config,
                fileSinks,
                KafkaSinks.examples(
                        kafka,
                        topics.examples(),
                        KafkaSinks.transactionalIdPrefix(STAGE, topics.examples())),
                KafkaSinks.rejects(
                        kafka,
                        topics.rejects(),
                        KafkaSinks.transactionalIdPrefix(STAGE, topics.rejects())));
    }

    /**
     * Adds the tokenizer to the job that {@code curated} (the filter's output, {@code
     * FilterJob.attach}) belongs to, tokenizing each pair as it leaves the filter instead of
     * reading it back from {@code topics.curatedPairs()}, which the filter still writes. A pair
     * then waits for one exactly-once commit on its way to the trainer, not two (the demo's
     * freshness); the price is that filter and tokenizer restart together, from one checkpoint.
     * Writes {@code topics.examples()} and {@code topics.rejects()} exactly once; a tokenizer
     * reject names the curated topic without an offset.
     */
    public static DataStream<Example> attachAfter(
            DataStream<CuratedPair> curated,
            KafkaClients kafka,
            PipelineTopics topics,
            TokenizeConfig config,
            FileSinkConfig fileSinks) {
        DataStream<KafkaEnvelope> envelopes =
                curated.process(new CuratedEnvelopes(topics.curatedPairs()))
                        .name("curated-envelopes")
                        .uid(STAGE + "-curated-envelopes");
        return wire(
                envelopes,
                config,
                fileSinks,
                KafkaSinks.examples(
                        kafka,
                        topics.examples(),
                        KafkaSinks.transactionalIdPrefix(STAGE, topics.examples())),
                KafkaSinks.rejects(
                        kafka,
                        topics.rejects(),
                        KafkaSinks.transactionalIdPrefix(STAGE, topics.rejects())));
    }

    /**
     * Runs the tokenizer alone on a cluster; see {@link JobArguments} for the arguments, plus
     * {@code --tokenizer SPEC} ({@link Tokenizers}: {@code bytes}, the default, or a {@code
     * tokenizer.json} path readable where this method runs; the file then travels inside the
     * operator) and {@code --image-size N} (the examples' image side, default 32; the trainer
     * refuses examples of another size than its model's: 224 for {@code --model b16}), {@code
     * --render-text true} with {@code --render-font FILE} (CLIPPO rendering), and the examples'
     * file sinks ({@code --examples-webdataset-dir DIR}, {@code --examples-avro-dir DIR}, {@code
     * --shard-records N}, {@code --shard-max-record-bytes N}: folders every TaskManager can write).
     * Other settings are the defaults.
     */
    public static void main(String[] args) throws Exception {
        JobArguments arguments = arguments(args);
        // JobArguments' text masks secret Kafka client properties (SASL/SSL passwords, JAAS).
        LOG.info("starting streamlip-{} with {}", STAGE, arguments);
        TokenizeConfig config = config(arguments);
        FileSinkConfig fileSinks = fileSinks(arguments);
        StreamExecutionEnvironment env = JobEnvironment.create(arguments.settings());
        // Savepoints map state onto operators by uid: refuse to build an operator without one.
        env.getConfig().disableAutoGeneratedUIDs();
        attach(env, arguments.kafka(), arguments.topics(), config, arguments.bounded(), fileSinks);
        env.execute("streamlip-" + STAGE);
    }

    /**
     * {@link JobArguments} with the job's own {@code --tokenizer SPEC}, {@code --image-size N},
     * {@code --render-text true|false}, {@code --render-font FILE} and file sink options, and those
     * of {@code --config FILE}'s {@code tokenize:} and {@code sinks:} sections ({@link
     * JobConfigFile}).
     */
    public static JobArguments arguments(String... args) {
        Set<String> names =
                new HashSet<>(
                        Set.of(
                                TOKENIZER_OPTION,
                                IMAGE_SIZE_OPTION,
                                RENDER_TEXT_OPTION,
                                RENDER_FONT_OPTION));
        names.addAll(FileSinkArguments.names(EXAMPLES_WEBDATASET_OPTION, EXAMPLES_AVRO_OPTION));
        JobConfigFile file = new JobConfigFile(List.of("tokenize"), names, Map.of());
        return JobArguments.parse(file.expand(args), names);
    }

    /**
     * The examples' file sinks of the job's options.
     *
     * @throws IllegalArgumentException naming the option whose value is wrong
     */
    static FileSinkConfig fileSinks(JobArguments arguments) {
        return FileSinkArguments.apply(arguments, EXAMPLES_WEBDATASET_OPTION, EXAMPLES_AVRO_OPTION);
    }

    /**
     * The defaults, with the tokenizer of {@code --tokenizer}, the image size of {@code
     * --image-size} and the rendering of {@code --render-text}/{@code --render-font} when given.
     *
     * @throws IllegalArgumentException naming the option when a value is invalid
     */
    static TokenizeConfig config(JobArguments arguments) {
        TokenizeConfig.Builder config = TokenizeConfig.builder();
        arguments.jobOption(TOKENIZER_OPTION).ifPresent(config::tokenizer);
        arguments.jobOption(IMAGE_SIZE_OPTION).ifPresent(size -> config.imageSize(imageSize(size)));
        render(arguments).ifPresent(config::render);
        try {
            return config.build();
        } catch (IllegalArgumentException e) {
            // With the defaults otherwise, only the image size can be out of range (also for
            // rendering, which needs one glyph row).
            Optional<String> size = arguments.jobOption(IMAGE_SIZE_OPTION);
            throw size.isEmpty()
                    ? e
                    : new IllegalArgumentException(
                            "--" + IMAGE_SIZE_OPTION + " " + size.get() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The rendering {@code --render-text} asks for: the font of {@code --render-font}, else {@link
     * BitmapFont#locate}'s (with no data folder), checked here by reading it.
     *
     * @throws IllegalArgumentException naming the option when the font is missing or unreadable
     */
    static Optional<TextRenderConfig> render(JobArguments arguments) {
        Optional<String> font = arguments.jobOption(RENDER_FONT_OPTION);
        boolean on =
                arguments.jobOption(RENDER_TEXT_OPTION).map(TokenizeJob::renderText).orElse(false);
        if (!on) {
            if (font.isPresent()) {
                throw new IllegalArgumentException(
                        "--" + RENDER_FONT_OPTION + " goes with --" + RENDER_TEXT_OPTION + " true");
            }
            return Optional.empty();
        }
        Path file = font.map(Path::of).orElseGet(() -> BitmapFont.locate(null));
        if (file == null) {
            throw new IllegalArgumentException(
                    "--"
                            + RENDER_TEXT_OPTION
                            + " needs a font: give --"
                            + RENDER_FONT_OPTION
                            + " FILE (GNU Unifont .hex or .hex.gz), or set STREAMLIP_FONT, or"
                            + " install Debian's unifont package");
        }
        try {
            return Optional.of(TextRenderConfig.defaults(checkFont(file).toString()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--"
                            + (font.isPresent() ? RENDER_FONT_OPTION : RENDER_TEXT_OPTION)
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * {@code file} when it is a readable bitmap font (read here, once).
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static Path checkFont(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    "no font file " + file + " (GNU Unifont .hex or .hex.gz expected)");
        }
        try {
            BitmapFont.read(file);
        } catch (RuntimeException e) {
            // The message names the file (and the line, for a malformed one).
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return file;
    }

    private static boolean renderText(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "on" -> true;
            case "false", "off" -> false;
            default ->
                    throw new IllegalArgumentException(
                            "--"
                                    + RENDER_TEXT_OPTION
                                    + " takes true or false, got '"
                                    + value
                                    + "'");
        };
    }

    private static int imageSize(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--" + IMAGE_SIZE_OPTION + " takes a number of pixels, got '" + value + "'");
        }
    }
}
