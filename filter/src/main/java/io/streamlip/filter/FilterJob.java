package io.streamlip.filter;

import io.streamlip.filter.blocklist.BlocklistStage;
import io.streamlip.filter.config.FilterArguments;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.EvalSetIndex;
import io.streamlip.filter.fetch.FetchStage;
import io.streamlip.filter.neardup.DecontaminateFunction;
import io.streamlip.filter.neardup.EvalSetMessage;
import io.streamlip.filter.neardup.NearDuplicateStages;
import io.streamlip.filter.score.CrossModalArguments;
import io.streamlip.filter.score.CrossModalScoring;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.FitRejects;
import io.streamlip.platform.flink.JobArguments;
import io.streamlip.platform.flink.JobConfigFile;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.RecordSizeCheck;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.platform.kafka.PipelineSources;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.score.PairScorerFactory;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.Reject;
import io.streamlip.sinks.FileSinkArguments;
import io.streamlip.sinks.FileSinkConfig;
import io.streamlip.sinks.FileSinks;
import io.streamlip.sinks.KafkaSinks;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The curation job, {@code raw-pairs -> curated-pairs (+ rejects)}: {@link FetchStage}, {@link
 * CurateFunction}, {@link DecontaminateFunction}, {@link BlocklistDeduplicateFunction} (or {@link
 * DeduplicateFunction} without a blocklist), {@link NearDuplicateStages}, the cross-modal score
 * ({@link Options#crossModalScoring}), {@link LanguageCapFunction} and the size check, in that
 * order; what each stage does and how it is keyed: docs/decisions/filter-job.md. Every refusal goes
 * to the rejects sink with stage {@value #STAGE}, a reason code and a detail, and counts in a
 * per-reason counter. {@link #attach} wires the pipeline's topics; {@link #main} runs it alone.
 */
public final class FilterJob {
    private static final Logger LOG = LoggerFactory.getLogger(FilterJob.class);

    /** The stage name in rejects, metrics and operator ids. */
    public static final String STAGE = "filter";

    private FilterJob() {}

    /**
     * How {@link #attach} wires the job beyond its thresholds ({@link FilterConfig}); what is
     * absent is not configured. Evaluation sets are part of the thresholds ({@link
     * NearDuplicateConfig#evalSets}).
     *
     * @param bounded stop at the input topics' end as of the start (tests, one-shot runs)
     * @param crossModalScoring when present, a cross-modal score stage after the near-duplicate
     *     filters scores each pair with the newest model announced on {@code
     *     topics.modelUpdates()}; when absent, {@link FilterConfig#crossModal} being on adds the
     *     stage with the scorer found on the classpath ({@link PairScorerFactory#discover})
     * @param fileSinks WebDataset and Avro shards of the curated pairs beside the curated topic
     *     ({@link FileSinks#addCurated}; default none); what they refuse goes to the rejects
     */
    public record Options(
            boolean bounded,
            Optional<CrossModalScoring> crossModalScoring,
            FileSinkConfig fileSinks) {
        public Options {
            Objects.requireNonNull(crossModalScoring, "crossModalScoring");
            Objects.requireNonNull(fileSinks, "fileSinks");
        }

        /** Unbounded, no cross-modal scoring: the pipeline's filter. */
        public static Options defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Options}; every setting starts absent or off. */
        public static final class Builder {
            private boolean bounded;
            private CrossModalScoring crossModalScoring;
            private FileSinkConfig fileSinks = FileSinkConfig.defaults();

            private Builder() {}

            /** See {@link Options#bounded}. */
            public Builder bounded(boolean bounded) {
                this.bounded = bounded;
                return this;
            }

            /** See {@link Options#crossModalScoring}. */
            public Builder crossModalScoring(CrossModalScoring scoring) {
                this.crossModalScoring = Objects.requireNonNull(scoring, "scoring");
                return this;
            }

            /** See {@link Options#fileSinks}. */
            public Builder fileSinks(FileSinkConfig sinks) {
                this.fileSinks = Objects.requireNonNull(sinks, "sinks");
                return this;
            }

            public Options build() {
                return new Options(bounded, Optional.ofNullable(crossModalScoring), fileSinks);
            }
        }
    }

    /**
     * Builds the operators on {@code raw}, then {@code scoring} (when present) on what the filters
     * keep, and writes the outputs to the given sinks.
     *
     * @return the curated stream, for more sinks
     */
    private static DataStream<CuratedPair> wire(
            DataStream<KafkaEnvelope> raw,
            FilterConfig config,
            Optional<BlocklistStage.Wiring> blocklist,
            Optional<Function<DataStream<CuratedPair>, SingleOutputStreamOperator<CuratedPair>>>
                    scoring,
            FileSinkConfig fileSinks,
            Sink<CuratedPair> curatedSink,
            Sink<Reject> rejectSink) {
        DataStream<CuratedEnvelope> clean;
        DataStream<Reject> rejects;
        if (config.fetch().enabled()) {
            // Two curate operators, one chained after the router and one after the fetch: a
            // record that carries its bytes never crosses a network channel to reach curation.
            FetchStage.Routed routed = FetchStage.attach(raw, config, STAGE);
            SingleOutputStreamOperator<CuratedEnvelope> carried =
                    curate(routed.carried(), config, "curate");
            SingleOutputStreamOperator<CuratedEnvelope> fetched =
                    curate(routed.fetched(), config, "curate-fetched");
            clean = carried.union(fetched);
            rejects =
                    routed.fetched()
                            .getSideOutput(EnvelopeStage.rejects(STAGE))
                            .union(
                                    carried.getSideOutput(EnvelopeStage.rejects(STAGE)),
                                    fetched.getSideOutput(EnvelopeStage.rejects(STAGE)));
        } else {
            SingleOutputStreamOperator<CuratedEnvelope> curated = curate(raw, config, "curate");
            clean = curated;
            rejects = curated.getSideOutput(EnvelopeStage.rejects(STAGE));
        }
        if (!config.nearDuplicates().evalSets().isEmpty()) {
            SingleOutputStreamOperator<CuratedEnvelope> decontaminated =
                    decontaminate(clean, config.nearDuplicates());
            rejects = rejects.union(decontaminated.getSideOutput(EnvelopeStage.rejects(STAGE)));
            clean = decontaminated;
        }
        KeyedStream<CuratedEnvelope, String> byDuplicateKey =
                clean.keyBy(c -> c.duplicateKey, Types.STRING);
        // With a blocklist, one operator checks it and then deduplicates (the blocklist first: a
        // listed pair must not stand in the state for its copies), so that a pair crosses one
        // exchange to reach both. Either way the dedup state is the same, under the same uid.
        SingleOutputStreamOperator<CuratedEnvelope> unique =
                (blocklist.isPresent()
                                ? byDuplicateKey
                                        .connect(blocklist.get().updates())
                                        .process(
                                                new BlocklistDeduplicateFunction(
                                                        config, blocklist.get().matcher()),
                                                CuratedEnvelope.typeInfo())
                                : byDuplicateKey.process(
                                        new DeduplicateFunction(config),
                                        CuratedEnvelope.typeInfo()))
                        .name("deduplicate")
                        .uid(STAGE + "-deduplicate");
        SingleOutputStreamOperator<CuratedPair> distinct =
                NearDuplicateStages.attach(unique, config, STAGE);
        rejects =
                rejects.union(
                        unique.getSideOutput(EnvelopeStage.rejects(STAGE)),
                        distinct.getSideOutput(EnvelopeStage.rejects(STAGE)));
        SingleOutputStreamOperator<CuratedPair> kept = distinct;
        if (scoring.isPresent()) {
            kept = scoring.get().apply(kept);
            rejects = rejects.union(kept.getSideOutput(EnvelopeStage.rejects(STAGE)));
        }
        if (!config.language().capShares().isEmpty()) {
            // A share is of every language's pairs: they meet in one task.
            kept =
                    kept.keyBy(p -> LanguageShareFunction.KEY, Types.STRING)
                            .process(
                                    new LanguageShareFunction(config.language()),
                                    EnvelopeStage.avroType(CuratedPair.class))
                            .name("language-shares")
                            .uid(STAGE + "-language-shares");
            rejects = rejects.union(kept.getSideOutput(EnvelopeStage.rejects(STAGE)));
        } else if (!config.language().caps().isEmpty()) {
            kept =
                    kept.keyBy(LanguageCapFunction::languageOf, Types.STRING)
                            .process(
                                    new LanguageCapFunction(config.language()),
                                    EnvelopeStage.avroType(CuratedPair.class))
                            .name("language-caps")
                            .uid(STAGE + "-language-caps");
            rejects = rejects.union(kept.getSideOutput(EnvelopeStage.rejects(STAGE)));
        }
        // Nothing too large for its topic reaches a sink: it would fail the transaction, forever.
        int limit = config.bounds().maxRecordBytes();
        kept =
                RecordSizeCheck.attach(
                        kept,
                        "curated-size",
                        new RecordSizeCheck<>(
                                STAGE, "curated pairs", CuratedPair.class, FilterJob::idOf, limit));
        rejects = rejects.union(kept.getSideOutput(EnvelopeStage.rejects(STAGE)));
        kept.sinkTo(curatedSink).name("curated-sink").uid(STAGE + "-curated-sink");
        Optional<DataStream<Reject>> unwritable = FileSinks.addCurated(kept, fileSinks, STAGE);
        if (unwritable.isPresent()) {
            rejects = rejects.union(unwritable.get());
        }
        FitRejects.attach(rejects, STAGE, limit)
                .sinkTo(rejectSink)
                .name("rejects-sink")
                .uid(STAGE + "-rejects-sink");
        return kept;
    }

    /**
     * The curate stage on {@code envelopes}, as operator {@code name} (uid {@code filter-name}).
     */
    private static SingleOutputStreamOperator<CuratedEnvelope> curate(
            DataStream<KafkaEnvelope> envelopes, FilterConfig config, String name) {
        return envelopes
                .process(new CurateFunction(config), CuratedEnvelope.typeInfo())
                .name(name)
                .uid(STAGE + "-" + name);
    }

    private static String idOf(CuratedPair pair) {
        return pair.getPair().getId();
    }

    /**
     * The decontamination stage: reads the configured evaluation sets here (in the client, once),
     * sends their hashes and thumbnails and an end marker as a bounded broadcast stream (one source
     * task, so every task sees the marker after every image), and checks {@code curated} against
     * the broadcast state.
     */
    static SingleOutputStreamOperator<CuratedEnvelope> decontaminate(
            DataStream<CuratedEnvelope> curated, NearDuplicateConfig config) {
        java.util.List<EvalSetIndex.Entry> entries = EvalSetIndex.entries(config);
        BroadcastStream<EvalSetMessage> evalSets =
                curated.getExecutionEnvironment()
                        .fromData(
                                EvalSetMessage.stream(entries),
                                TypeInformation.of(EvalSetMessage.class))
                        .setParallelism(1)
                        .name("eval-sets")
                        .uid(STAGE + "-eval-sets")
                        .broadcast(DecontaminateFunction.IMAGES, DecontaminateFunction.STATUS);
        return curated.connect(evalSets)
                .process(new DecontaminateFunction(config, STAGE), CuratedEnvelope.typeInfo())
                .name("decontaminate")
                .uid(STAGE + "-decontaminate");
    }

    /**
     * Adds the filter to {@code env}, reading {@code topics.rawPairs()} and writing {@code
     * topics.curatedPairs()} and {@code topics.rejects()} exactly once. It reads as consumer group
     * {@code streamlip-filter-<raw topic>} ({@link PipelineSources#consumerGroup}): its committed
     * offsets (committed on checkpoints) are where a restarted job resumes, and its lag is the
     * filter's backlog. Several jobs (filter and tokenize) can be attached to one environment and
     * run as one Flink job.
     *
     * @return the curated stream, for more sinks (e.g. {@code FileSinks.addWebDataset})
     */
    public static DataStream<CuratedPair> attach(
            StreamExecutionEnvironment env,
            KafkaClients kafka,
            PipelineTopics topics,
            FilterConfig config,
            Options options) {
        DataStream<KafkaEnvelope> raw =
                PipelineSources.read(env, kafka, topics.rawPairs(), STAGE, options.bounded());
        Optional<CrossModalScoring> crossModal =
                options.crossModalScoring()
                        .or(
                                () ->
                                        config.crossModal().enabled()
                                                ? Optional.of(
                                                        new CrossModalScoring(
                                                                PairScorerFactory.discover(),
                                                                config.crossModal()))
                                                : Optional.empty());
        Optional<Function<DataStream<CuratedPair>, SingleOutputStreamOperator<CuratedPair>>>
                scoring =
                        crossModal.map(
                                scorer -> {
                                    DataStream<ModelUpdate> updates =
                                            CrossModalScoring.modelUpdates(
                                                    env,
                                                    kafka,
                                                    topics.modelUpdates(),
                                                    options.bounded(),
                                                    STAGE);
                                    return kept -> scorer.apply(kept, updates, STAGE);
                                });
        Optional<BlocklistStage.Wiring> blocklist =
                config.blocklist().enabled()
                        ? Optional.of(
                                BlocklistStage.attach(
                                        env,
                                        kafka,
                                        topics.blocklist(),
                                        config.blocklist(),
                                        options.bounded(),
                                        STAGE))
                        : Optional.empty();
        return wire(
                raw,
                config,
                blocklist,
                scoring,
                options.fileSinks(),
                KafkaSinks.curatedPairs(
                        kafka,
                        topics.curatedPairs(),
                        KafkaSinks.transactionalIdPrefix(STAGE, topics.curatedPairs())),
                KafkaSinks.rejects(
                        kafka,
                        topics.rejects(),
                        KafkaSinks.transactionalIdPrefix(STAGE, topics.rejects())));
    }

    /**
     * {@code DIR}: WebDataset shards of the curated pairs ({@link Options#fileSinks}), beside the
     * curated topic; with {@code --shard-records N} and {@code --shard-max-record-bytes N} ({@link
     * FileSinkArguments}).
     */
    public static final String CURATED_WEBDATASET_OPTION = "curated-webdataset-dir";

    /** {@code DIR}: Avro container files of the curated pairs ({@link Options#fileSinks}). */
    public static final String CURATED_AVRO_OPTION = "curated-avro-dir";

    /**
     * Runs the filter alone on a cluster; see {@link JobArguments} for the arguments, plus the
     * curation thresholds ({@link FilterArguments}: {@code --min-image-side N}, {@code
     * --language-caps LANG=N,...}, {@code --eval-sets DIR,...}, {@code --caption-blocklist FILE},
     * the fetch stage's {@code --fetch-timeout D}, {@code --fetch-per-host N}, {@code
     * --fetch-allow-private CIDR,...} ({@code FetchArguments}), ...; files at a path where {@code
     * main} runs: they are read there, once), the cross-modal filter's ({@link
     * CrossModalArguments}: {@code --crossmodal-score true} scores with the trainer's newest
     * checkpoint, whose folder the TaskManagers must be able to read), and the curated pairs' file
     * sinks ({@code --curated-webdataset-dir DIR}, {@code --curated-avro-dir DIR}, {@code
     * --shard-records N}, {@code --shard-max-record-bytes N}: folders every TaskManager can write);
     * or {@code --config FILE} for all of them ({@link JobConfigFile}). What is not given is the
     * default.
     */
    public static void main(String[] args) throws Exception {
        JobArguments arguments = arguments(args);
        FilterConfig config = config(arguments);
        // JobArguments' text masks secret Kafka client properties (SASL/SSL passwords, JAAS).
        LOG.info("starting streamlip-{} with {}", STAGE, arguments);
        StreamExecutionEnvironment env = JobEnvironment.create(arguments.settings());
        // Savepoints map state onto operators by uid: refuse to build an operator without one.
        env.getConfig().disableAutoGeneratedUIDs();
        attach(
                env,
                arguments.kafka(),
                arguments.topics(),
                config,
                Options.builder()
                        .bounded(arguments.bounded())
                        .fileSinks(fileSinks(arguments))
                        .build());
        env.execute("streamlip-" + STAGE);
    }

    /**
     * {@link JobArguments} with the job's own options, and those of {@code --config FILE}'s {@code
     * filter:}, {@code score:} and {@code sinks:} sections ({@link JobConfigFile}).
     */
    public static JobArguments arguments(String... args) {
        Set<String> names = new HashSet<>(FilterArguments.NAMES);
        names.addAll(CrossModalArguments.NAMES);
        names.addAll(FileSinkArguments.names(CURATED_WEBDATASET_OPTION, CURATED_AVRO_OPTION));
        JobConfigFile file =
                new JobConfigFile(
                        List.of("filter", "score"),
                        names,
                        Map.of("live-model", CrossModalArguments.ENABLED));
        return JobArguments.parse(file.expand(args), names);
    }

    /**
     * The curated pairs' file sinks of the job's options.
     *
     * @throws IllegalArgumentException naming the option whose value is wrong
     */
    static FileSinkConfig fileSinks(JobArguments arguments) {
        return FileSinkArguments.apply(arguments, CURATED_WEBDATASET_OPTION, CURATED_AVRO_OPTION);
    }

    /**
     * The defaults, with the thresholds and the cross-modal settings of the job's options.
     *
     * @throws IllegalArgumentException naming the option whose value is wrong
     */
    static FilterConfig config(JobArguments arguments) {
        FilterConfig config = FilterArguments.apply(arguments::jobOption, FilterConfig.defaults());
        return config.toBuilder()
                .crossModal(CrossModalArguments.apply(arguments, config.crossModal()))
                .build();
    }
}
