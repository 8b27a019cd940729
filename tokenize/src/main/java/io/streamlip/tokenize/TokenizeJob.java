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
import io.streamlip.schemas.Example;
import io.streamlip.schemas.Reject;
import io.streamlip.sinks.KafkaSinks;
import java.util.List;
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
        SingleOutputStreamOperator<Example> examples =
                curated.process(
                                new TokenizeFunction(new ExampleBuilder(config)),
                                EnvelopeStage.avroType(Example.class))
                        .name("tokenize")
                        .uid(STAGE + "-tokenize");
        examples.sinkTo(exampleSink).name("examples-sink").uid(STAGE + "-examples-sink");
        // Examples were size-checked when built; a reject is fitted whichever stage built it.
        FitRejects.attach(
                        examples.getSideOutput(EnvelopeStage.rejects(STAGE)),
                        STAGE,
                        config.bounds().maxRecordBytes())
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
        DataStream<KafkaEnvelope> curated =
                PipelineSources.read(env, kafka, topics.curatedPairs(), STAGE, bounded);
        return wire(
                curated,
                config,
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
     * refuses examples of another size than its model's: 224 for {@code --model b16}). Other
     * settings are the defaults.
     */
    public static void main(String[] args) throws Exception {
        JobArguments arguments = arguments(args);
        // JobArguments' text masks secret Kafka client properties (SASL/SSL passwords, JAAS).
        LOG.info("starting streamlip-{} with {}", STAGE, arguments);
        TokenizeConfig config = config(arguments);
        StreamExecutionEnvironment env = JobEnvironment.create(arguments.settings());
        // Savepoints map state onto operators by uid: refuse to build an operator without one.
        env.getConfig().disableAutoGeneratedUIDs();
        attach(env, arguments.kafka(), arguments.topics(), config, arguments.bounded());
        env.execute("streamlip-" + STAGE);
    }

    /**
     * {@link JobArguments} with the job's own {@code --tokenizer SPEC} and {@code --image-size N},
     * and those of {@code --config FILE}'s {@code tokenize:} section ({@link JobConfigFile}).
     */
    public static JobArguments arguments(String... args) {
        Set<String> names = Set.of(TOKENIZER_OPTION, IMAGE_SIZE_OPTION);
        JobConfigFile file = new JobConfigFile(List.of("tokenize"), names, Map.of());
        return JobArguments.parse(file.expand(args), names);
    }

    /**
     * The defaults, with the tokenizer of {@code --tokenizer} and the image size of {@code
     * --image-size} when given.
     *
     * @throws IllegalArgumentException naming the option when a value is invalid
     */
    static TokenizeConfig config(JobArguments arguments) {
        TokenizeConfig.Builder config = TokenizeConfig.builder();
        arguments.jobOption(TOKENIZER_OPTION).ifPresent(config::tokenizer);
        arguments.jobOption(IMAGE_SIZE_OPTION).ifPresent(size -> config.imageSize(imageSize(size)));
        try {
            return config.build();
        } catch (IllegalArgumentException e) {
            // With the defaults otherwise, only the image size can be out of range.
            Optional<String> size = arguments.jobOption(IMAGE_SIZE_OPTION);
            throw size.isEmpty()
                    ? e
                    : new IllegalArgumentException(
                            "--" + IMAGE_SIZE_OPTION + " " + size.get() + ": " + e.getMessage(), e);
        }
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
