package io.streamlip.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.broker.KafkaBroker;
import io.streamlip.filter.FilterJob;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.importer.ImportStats;
import io.streamlip.ingest.noise.NoisyImporter;
import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RejectReason;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.tokenize.TokenizeJob;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.LatencyStats;
import io.streamlip.trainer.LoopTimes;
import io.streamlip.trainer.StopCondition;
import io.streamlip.trainer.Trainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSummary;
import io.streamlip.trainer.data.PrefetchingBatchSource;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import me.tongfei.progressbar.ProgressBar;
import org.apache.commons.io.file.PathUtils;
import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main job on one machine: an in-process Kafka broker, the curation and tokenize jobs on a
 * Flink MiniCluster, the corpus imported onto {@code raw-pairs}, the DJL trainer reading {@code
 * examples} for the configured time, then an evaluation of the last checkpoint on the held-out set
 * and a report ({@code summary.json}).
 *
 * <p>The jobs are watched while the demo runs ({@link JobWatch}, every {@link #WATCH_INTERVAL}): a
 * job that fails or restarts stops the run at once (the import stops, the trainer stops after its
 * current step and checkpoints), and the report is still written, with {@code "status": "failed"},
 * the reason, and each job's state and restart count. A run that took no training step fails the
 * same way.
 */
final class Demo {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    static final String SUMMARY = "summary.json";

    /** The folder under {@code out} of the file sinks' shards ({@code --webdataset}, --avro). */
    static final String SHARDS = "shards";

    /**
     * How long the examples topic must stay quiet before the trainer reads it again: far longer
     * than the 2 s between the jobs' commits, so only the end of the import triggers it.
     */
    static final Duration REPLAY_AFTER_IDLE = Duration.ofSeconds(20);

    /**
     * How long the trainer waits for its first batch (the jobs start, load their models and curate
     * the first pairs) before the demo gives up; the training time counts from that batch.
     */
    static final Duration FIRST_BATCH_WAIT = Duration.ofMinutes(5);

    /** How often the demo looks at its Flink jobs. */
    static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

    /**
     * How long after the import the examples topic must stay unchanged for curation to count as
     * idle: three of the jobs' 2 s exactly-once commits.
     */
    static final Duration CURATION_QUIET = Duration.ofSeconds(6);

    /**
     * The job's checkpoint interval while curation is idle ({@link CheckpointPacer}): there is
     * nothing to commit then, and each checkpoint wakes threads the trainer shares the cores with.
     */
    static final Duration IDLE_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);

    /** Least idle training time for summary.json's {@code trainer_when_curation_idle} figure. */
    static final Duration MIN_IDLE_TRAINING = Duration.ofSeconds(20);

    /** Folders under {@code out} that a run owns and recreates. */
    private static final List<String> OWNED =
            List.of("kafka", "flink-checkpoints", "checkpoints", "eval-heldout", SHARDS, SUMMARY);

    private final DemoConfig config;
    private final IdleThreads idleThreads;

    Demo(DemoConfig config) {
        this.config = config;
        this.idleThreads = new IdleThreads(config.idleThreadPolicy());
    }

    /**
     * Runs the demo and returns the summary it also wrote to {@code out/summary.json}; its {@code
     * status} is {@code ok} or {@code failed} (then {@code failure} says why).
     */
    ObjectNode run() throws Exception {
        long started = System.nanoTime();
        Path out = config.out().toAbsolutePath();
        prepare(out);
        DemoData data = DemoData.prepare(config, out);
        // Before the jobs start: the tokenize job and the trainer both read it.
        DemoTokenizer tokenizer = DemoTokenizer.prepare(config.tokenizer(), data.importer(), out);
        FilterConfig filter = filterConfig(config, data.evalSet());

        PipelineTopics topics = PipelineTopics.defaults();
        ImportStats imported;
        TrainingSummary training;
        PipelineCounts counts;
        ScorerCounts scorer = null;
        AtomicReference<Instant> trainingStarted = new AtomicReference<>();
        List<JobWatch.JobReport> jobReports;
        String failure;
        AtomicBoolean stopImport = new AtomicBoolean();
        AtomicReference<Trainer> trainer = new AtomicReference<>();
        AtomicBoolean importing = new AtomicBoolean(true);
        ImportProgress progress = new ImportProgress();
        AdaptivePace pace =
                config.importRate().adaptive()
                        ? new AdaptivePace(
                                config.trainer().batchSize(), config.jobCheckpointInterval())
                        : null;
        TrainerFeed feed;
        CurationIdle curation = new CurationIdle(CURATION_QUIET);
        CurationLooks looks = new CurationLooks(curation, () -> !importing.get());
        ScheduledExecutorService checkpointTicks =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread thread = new Thread(r, "streamlip-demo-checkpoints");
                            thread.setDaemon(true);
                            return thread;
                        });
        try (KafkaBroker broker = KafkaBroker.start(out.resolve("kafka"), false);
                JobWatch watch =
                        new JobWatch(
                                WATCH_INTERVAL,
                                reason -> {
                                    // Stop at once: the import, and the trainer after its step.
                                    stopImport.set(true);
                                    Trainer t = trainer.get();
                                    if (t != null) {
                                        t.stop();
                                    }
                                })) {
            KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
            try (Admin admin = broker.admin()) {
                topics.create(admin);
            }
            StartedJob jobs =
                    startJobs(kafka, topics, out.resolve("flink-checkpoints"), tokenizer, filter);
            LOG.info(
                    "opt-out entries apply while the demo runs: streamlip blocklist add --bootstrap"
                            + " {} sha256:HEX | phash:HEX | term:TEXT",
                    broker.bootstrapServers());
            watch.watch(jobs.name(), jobs.client(), jobs.rest());
            if (!periodicCheckpointInterval().equals(config.jobCheckpointInterval())) {
                long every = config.jobCheckpointInterval().toMillis();
                checkpointTicks.scheduleWithFixedDelay(
                        jobs.checkpoints()::tick, every, every, TimeUnit.MILLISECONDS);
                looks.pace(jobs.checkpoints());
            }
            // The import streams onto raw-pairs while the trainer already reads examples: the
            // trainer sees the stream the way it would see a live crawl.
            feed =
                    new TrainerFeed(
                            kafka, topics, TrainerFeed.warmup(config.training()), importing::get);
            if (pace != null) {
                feed.pace(pace, progress::sent);
            }
            CompletableFuture<ImportStats> importJob =
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return importPairs(
                                            data, kafka, topics, stopImport, pace, progress);
                                } finally {
                                    importing.set(false);
                                    progress.ended();
                                }
                            });
            try {
                training =
                        train(
                                kafka,
                                topics,
                                out.resolve("checkpoints"),
                                data.evalSet(),
                                tokenizer,
                                trainer,
                                watch,
                                trainingStarted,
                                feed,
                                looks);
            } finally {
                stopImport.set(true);
                imported = awaitImport(importJob);
                feed.close();
                watch.finalPoll();
                checkpointTicks.shutdownNow();
                cancel(jobs.client());
            }
            jobReports = watch.reports(Duration.ofSeconds(30));
            failure = watch.failure().orElse(null);
            counts = PipelineCounts.read(kafka, topics);
            if (config.filter().crossModal().enabled()) {
                scorer =
                        ScorerCounts.read(
                                kafka,
                                topics,
                                data.importer() instanceof NoisyImporter noisy
                                        ? id -> {
                                            var kind = noisy.injectedKind(id);
                                            return kind == null ? null : kind.code();
                                        }
                                        : null);
            }
        }
        // The trainer evaluated its last checkpoint on the held-out set as it stopped: that
        // evaluation is the report's (no second pass over the set).
        if (failure == null && training.steps() == 0) {
            failure =
                    "the trainer took no step: no examples reached it in "
                            + FIRST_BATCH_WAIT
                            + " (see the log above for what the jobs refused)";
        }
        ObjectNode summary =
                summary(
                        data,
                        tokenizer,
                        imported,
                        counts,
                        training,
                        scorer,
                        trainingStarted.get(),
                        filter,
                        pace,
                        progress,
                        feed,
                        jobReports,
                        failure,
                        curation.figure(MIN_IDLE_TRAINING),
                        looks.idleStepMillis(),
                        elapsedSeconds(started));
        Files.writeString(out.resolve(SUMMARY), Json.pretty(summary));
        LOG.info("wrote {}", out.resolve(SUMMARY));
        return summary;
    }

    /** The demo's Flink job, its name, and the REST API of the MiniCluster it runs on. */
    private record StartedJob(
            String name, JobClient client, FlinkRestClient rest, CheckpointPacer checkpoints) {}

    private StartedJob startJobs(
            KafkaClients kafka,
            PipelineTopics topics,
            Path checkpoints,
            DemoTokenizer tokenizer,
            FilterConfig filter)
            throws Exception {
        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(config.parallelism())
                        .checkpointInterval(periodicCheckpointInterval())
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        // The live-model loop: with crossModal on, the filter scores with the newest checkpoint
        // the trainer announces, through the scorer the trainer registers as a service.
        DataStream<CuratedPair> curated =
                FilterJob.attach(
                        env,
                        kafka,
                        topics,
                        filter,
                        FilterJob.Options.builder().fileSinks(config.curatedSinks()).build());
        // One job: the tokenizer takes the filter's output as it leaves the filter, so a pair
        // waits for one exactly-once commit on its way to the trainer (the curated topic is still
        // written, for trace and other readers).
        TokenizeJob.attachAfter(
                curated,
                kafka,
                topics,
                tokenizeConfig(config, tokenizer.spec()),
                config.exampleSinks());
        String name = "streamlip-demo: filter + tokenize";
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(name);
        // What env.executeAsync() does for a local environment, keeping hold of the MiniCluster
        // so that the watch can read the job's restarts and exceptions from its REST API.
        Configuration conf = JobEnvironment.configuration(settings);
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, WATCH_INTERVAL);
        conf.set(DeploymentOptions.TARGET, LocalExecutor.NAME);
        conf.set(DeploymentOptions.ATTACHED, true);
        AtomicReference<MiniCluster> cluster = new AtomicReference<>();
        JobClient job =
                LocalExecutor.createWithFactory(
                                conf,
                                c -> {
                                    MiniCluster m = new MiniCluster(c);
                                    cluster.set(m);
                                    return m;
                                })
                        .execute(graph, conf, Demo.class.getClassLoader())
                        .get();
        FlinkRestClient rest = null;
        try {
            URI address = cluster.get().getRestAddress().get(30, TimeUnit.SECONDS);
            rest = new FlinkRestClient(address.toString(), Duration.ofSeconds(5));
            LOG.info("Flink web UI and REST API of the MiniCluster: {}", address);
        } catch (TimeoutException | ExecutionException | RuntimeException e) {
            LOG.warn(
                    "no REST API on the MiniCluster, watching the job's status only: {}",
                    e.toString());
        }
        LOG.info(
                "Flink job {} running on a MiniCluster (parallelism {}): {} -> {} -> {}",
                job.getJobID(),
                config.parallelism(),
                topics.rawPairs(),
                topics.curatedPairs(),
                topics.examples());
        CheckpointPacer pacer =
                new CheckpointPacer(
                        () ->
                                cluster.get()
                                        .triggerCheckpoint(
                                                job.getJobID(), CheckpointType.CONFIGURED));
        return new StartedJob(name, job, rest, pacer);
    }

    /**
     * The job's own, periodic checkpoint interval: the configured one when it is long already,
     * otherwise {@link #IDLE_CHECKPOINT_INTERVAL}, and a {@link CheckpointPacer} triggers one every
     * configured interval while curation is busy.
     */
    private Duration periodicCheckpointInterval() {
        Duration configured = config.jobCheckpointInterval();
        return configured.compareTo(IDLE_CHECKPOINT_INTERVAL) >= 0
                ? configured
                : IDLE_CHECKPOINT_INTERVAL;
    }

    /**
     * The curation job's settings: the configured ones, and with {@link DemoConfig#decontaminate()}
     * the held-out {@code evalSet} (when there is one) among the evaluation sets whose near copies
     * it refuses.
     */
    static FilterConfig filterConfig(DemoConfig config, Path evalSet) {
        FilterConfig filter = config.filter();
        if (!config.decontaminate() || evalSet == null) {
            return filter;
        }
        List<String> sets = new java.util.ArrayList<>(filter.nearDuplicates().evalSets());
        String heldOut = evalSet.toAbsolutePath().toString();
        if (!sets.contains(heldOut)) {
            sets.add(heldOut);
        }
        return filter.toBuilder()
                .nearDuplicates(filter.nearDuplicates().toBuilder().evalSets(sets).build())
                .build();
    }

    /**
     * The tokenize stage's configuration: examples at the trained model's image size ({@code
     * --model b16}: 224 px), as the trainer refuses any other, with the demo's tokenizer and its
     * CLIPPO rendering (when on).
     */
    static TokenizeConfig tokenizeConfig(DemoConfig config, String tokenizerSpec) {
        return TokenizeConfig.builder()
                .imageSize(config.trainer().model().imageSize())
                .tokenizer(tokenizerSpec)
                .render(config.render())
                .build();
    }

    /**
     * Cancels the job unless it already ended (a failed job's MiniCluster is gone, and asking it to
     * cancel then throws).
     */
    private static void cancel(JobClient job) throws InterruptedException {
        if (job.getJobExecutionResult().isDone()) {
            return;
        }
        try {
            JobEnvironment.cancel(job, Duration.ofSeconds(60));
        } catch (TimeoutException | RuntimeException e) {
            LOG.warn("cancelling job {}: {}", job.getJobID(), e.toString());
        }
    }

    /**
     * Imports until the importer is done or {@code stop} is set (training time is up first); the
     * pairs already sent stay on the topic.
     */
    private ImportStats importPairs(
            DemoData data,
            KafkaClients kafka,
            PipelineTopics topics,
            AtomicBoolean stop,
            AdaptivePace adaptive,
            ImportProgress progress) {
        ImportRate rate = config.importRate();
        LOG.info(
                "importing {} pairs ({}) onto {}{}",
                data.importer().expectedPairs(),
                data.note(),
                topics.rawPairs(),
                switch (rate.mode()) {
                    case "adaptive" ->
                            ", paced by the trainer ("
                                    + AdaptivePace.LEAD_BATCHES
                                    + " batches or more waiting for it)";
                    case "fixed" -> ", at most " + rate + " a second";
                    default -> ", as fast as possible";
                });
        ImportStats stats;
        ImportPace fixed = new ImportPace(rate.pairsPerSecond(), System.nanoTime());
        progress.started();
        try (PairProducer producer = new PairProducer(kafka, topics.rawPairs());
                ProgressBar bar =
                        Progress.bar("import " + data.source(), data.importer().expectedPairs())) {
            stats =
                    data.importer()
                            .importTo(
                                    producer,
                                    (done, total) -> {
                                        // Counted first: the done-th pair is on the topic even
                                        // when the import stops here.
                                        bar.stepTo(done);
                                        progress.sent(done);
                                        if (stop.get()) {
                                            throw new CancellationException(
                                                    "training ended after " + done + " pairs");
                                        }
                                        if (adaptive != null) {
                                            adaptive.await(done, stop::get);
                                        } else {
                                            fixed.await(done);
                                        }
                                    });
        }
        LOG.info(
                "imported {} pairs in {} languages ({} s)",
                stats.pairs(),
                stats.perLanguage().size(),
                stats.elapsedMillis() / 1000.0);
        if (stats.rejected().total() > 0) {
            LOG.warn(
                    "{} refused {} input lines {}, first: {}",
                    data.importer().name(),
                    stats.rejected().total(),
                    stats.rejected().perReason(),
                    stats.rejected().examples().get(0));
        }
        return stats;
    }

    private TrainingSummary train(
            KafkaClients kafka,
            PipelineTopics topics,
            Path checkpoints,
            Path evalSet,
            DemoTokenizer tokenizer,
            AtomicReference<Trainer> running,
            JobWatch watch,
            AtomicReference<Instant> started,
            TrainerFeed feed,
            CurationLooks curation) {
        TrainerConfig settings = config.trainer();
        TrainerConfig trainer =
                settings.toBuilder()
                        // A captioner prompts every language the stream carries.
                        .model(settings.model().captionPromptsExtendedTo(config.languages()))
                        .checkpointDir(checkpoints)
                        .evalSet(evalSet)
                        // The import is finite and the trainer gets through it in a few
                        // minutes: it reads it again rather than idle for the rest of the run.
                        .replayAfterIdle(REPLAY_AFTER_IDLE)
                        // Last: the model's vocabulary follows the tokenizer.
                        .tokenizerAndModelVocabulary(
                                Tokenizers.load(tokenizer.spec(), settings.model().contextLength()))
                        .build();
        LOG.info(
                "training {} for {} (batch {}, {} loss{}, {} threads, tokenizer {})",
                trainer.model().name(),
                config.training(),
                trainer.batchSize(),
                trainer.loss().kind().name().toLowerCase(Locale.ROOT),
                trainer.loss().chunked() ? " in " + trainer.loss().chunks() + " chunks" : "",
                trainer.threads(),
                trainer.tokenizerVersion());
        try (Trainer t = Trainer.create(trainer, kafka, topics);
                Admin admin = Admin.create(kafka.common())) {
            running.set(t);
            t.onTrained(feed);
            if (watch.failure().isPresent()) {
                t.stop(); // a job failed while the trainer was being built
            }
            int whileCurating = config.threadsWhileCurating();
            if (whileCurating > 0) {
                t.useThreads(whileCurating);
            }
            ScheduledExecutorService looker =
                    Executors.newSingleThreadScheduledExecutor(
                            r -> {
                                Thread thread = new Thread(r, "streamlip-demo-curation-idle");
                                thread.setDaemon(true);
                                return thread;
                            });
            looker.scheduleWithFixedDelay(
                    () -> curation.look(t, admin, topics),
                    WATCH_INTERVAL.toMillis(),
                    WATCH_INTERVAL.toMillis(),
                    TimeUnit.MILLISECONDS);
            TrainingSummary summary;
            // The step's threads keep their scheduling: this one, the native threads it starts
            // (libtorch's OpenMP workers take its name) and the prefetch thread.
            idleThreads.protectTrainer();
            try {
                summary =
                        t.run(
                                new StopCondition(
                                        config.training(), config.maxSteps(), FIRST_BATCH_WAIT));
            } finally {
                looker.shutdownNow();
                awaitQuietly(looker);
                // The rest of the run (final checkpoint, evaluation, shutdown) is not the step's.
                idleThreads.restore("training over", true);
            }
            // Training time counts from the first batch: the loop's time to a first score too.
            t.firstBatchTime().ifPresent(started::set);
            return summary;
        } finally {
            running.set(null);
        }
    }

    private static void awaitQuietly(ScheduledExecutorService looker) {
        try {
            looker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Looks once a second, while the trainer trains, whether curation is idle ({@link
     * CurationIdle}), and gives the trainer the cores accordingly: {@code threadsWhileCurating}
     * intra-op threads while the jobs curate, the trainer's own {@code threads} once they are idle.
     */
    private final class CurationLooks {
        private final CurationIdle idle;
        private final java.util.function.BooleanSupplier importDone;
        private final Map<String, List<TopicPartition>> partitions = new HashMap<>();

        private volatile CheckpointPacer checkpoints;
        private volatile LoopTimes idleLoop;
        private volatile long stepsAtIdle;

        CurationLooks(CurationIdle idle, java.util.function.BooleanSupplier importDone) {
            this.idle = idle;
            this.importDone = importDone;
        }

        void look(Trainer trainer, Admin admin, PipelineTopics topics) {
            Optional<Instant> first = trainer.firstBatchTime();
            // Only while training: the final checkpoint and evaluation train nothing.
            if (first.isEmpty() || Instant.now().isAfter(first.get().plus(config.training()))) {
                return;
            }
            try {
                boolean imported = importDone.getAsBoolean(); // before the counts
                long raw = endOffsets(admin, topics.rawPairs());
                long out =
                        endOffsets(admin, topics.examples()) + endOffsets(admin, topics.rejects());
                Optional<CurationIdle.Change> change =
                        idle.look(
                                System.nanoTime(),
                                imported,
                                raw,
                                out,
                                trainer.examplesTrained(),
                                trainer.loopTimes().snapshot());
                change.ifPresent(c -> changed(c, trainer, out));
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.debug("looking at the pipeline's topics: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Tells {@code pacer} when curation goes idle and when it is busy again. */
        void pace(CheckpointPacer pacer) {
            checkpoints = pacer;
        }

        /** The durations of the steps since curation last went idle, ms; empty when it is busy. */
        double[] idleStepMillis() {
            LoopTimes loop = idleLoop;
            return loop == null ? new double[0] : loop.stepMillisSince(stepsAtIdle);
        }

        private void pacing(boolean busy) {
            CheckpointPacer pacer = checkpoints;
            if (pacer != null) {
                pacer.busy(busy);
                LOG.info(
                        "the job checkpoints every {} ms now ({} triggered so far)",
                        (busy ? config.jobCheckpointInterval() : periodicCheckpointInterval())
                                .toMillis(),
                        pacer.triggered());
            }
        }

        private void changed(CurationIdle.Change change, Trainer trainer, long out) {
            int whileCurating = config.threadsWhileCurating();
            int threads = config.trainer().threads();
            if (change == CurationIdle.Change.BECAME_IDLE) {
                idleLoop = trainer.loopTimes();
                stepsAtIdle = idleLoop.steps();
                pacing(false);
                LOG.info(
                        "curation idle (every raw pair out as an example or a reject, none new"
                                + " for {}): the trainer gets {} threads",
                        CURATION_QUIET,
                        threads);
                trainer.useThreads(threads);
                idleThreads.idle();
                // Nothing new is coming: once trained to the end, read the examples again at once.
                trainer.inputComplete(true);
            } else {
                LOG.info("curation busy again ({} examples and rejects)", out);
                idleLoop = null;
                pacing(true);
                trainer.inputComplete(false);
                if (whileCurating > 0) {
                    trainer.useThreads(whileCurating);
                }
                idleThreads.restore("curation busy again", false);
            }
        }

        /**
         * The sum of {@code topic}'s read_committed end offsets: its committed records, plus a
         * marker per transaction on a topic written in transactions.
         */
        private long endOffsets(Admin admin, String topic)
                throws ExecutionException, InterruptedException, TimeoutException {
            List<TopicPartition> known = partitions.get(topic);
            if (known == null) {
                known =
                        admin
                                .describeTopics(List.of(topic))
                                .allTopicNames()
                                .get(10, TimeUnit.SECONDS)
                                .get(topic)
                                .partitions()
                                .stream()
                                .map(p -> new TopicPartition(topic, p.partition()))
                                .toList();
                partitions.put(topic, known);
            }
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            known.forEach(tp -> request.put(tp, OffsetSpec.latest()));
            return admin
                    .listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get(10, TimeUnit.SECONDS)
                    .values()
                    .stream()
                    .mapToLong(info -> info.offset())
                    .sum();
        }
    }

    /**
     * The {@link IdleThreadPolicy} applied: with BACKGROUND, the JVM's Java threads other than the
     * trainer's go to {@code SCHED_IDLE} when curation goes idle and back when it is busy again
     * (where the OS permits; else they stay, logged).
     */
    private static final class IdleThreads {
        private final IdleThreadPolicy policy;
        private final BackgroundThreads threads;
        private final String autoOff; // why AUTO chose OFF, else null
        private volatile int lowered = -1;
        private volatile String failure;
        private volatile boolean stuck;

        IdleThreads(IdleThreadPolicy policy) {
            this.policy = policy;
            BackgroundThreads chosen =
                    policy == IdleThreadPolicy.OFF ? null : BackgroundThreads.forThisJvm();
            String whyOff = null;
            if (policy == IdleThreadPolicy.AUTO) {
                // Only where the threads can come back: stuck in SCHED_IDLE, Flink and the broker
                // would get only the CPU the trainer leaves once pairs arrive again.
                whyOff = chosen.whyNoWayBack().orElse(null);
                if (whyOff != null) {
                    chosen = null;
                    LOG.info(
                            "idle thread policy auto: off, since the JVM's threads could not"
                                    + " leave SCHED_IDLE again ({})",
                            whyOff);
                }
            }
            this.threads = chosen;
            this.autoOff = whyOff;
            if (threads != null) {
                threads.protectNamed(PrefetchingBatchSource.THREAD_NAME);
                // The broker serves the prefetch thread's reads, and keeps its own session with
                // the controller: in SCHED_IDLE, controller events waited seconds for the CPU
                // (bench/results/trainer-in-demo-2026-12-07c.md).
                KafkaBroker.CONTROL_PLANE_THREAD_PREFIXES.forEach(
                        threads::protectNamesStartingWith);
                threads.protectNamesStartingWith(KafkaBroker.REQUEST_THREAD_PREFIX);
            }
        }

        /** Called on the training thread before its first step. */
        void protectTrainer() {
            if (threads != null) {
                threads.protectCurrentThread();
            }
        }

        void idle() {
            if (threads == null || stuck) {
                return;
            }
            BackgroundThreads.Outcome o = threads.lower();
            lowered = Math.max(lowered, 0) + o.changed();
            if (o.failure().isPresent()) {
                failure = o.failure().get();
                return; // logged once by BackgroundThreads
            }
            LOG.info(
                    "idle thread policy background: {} threads of the JVM other than the trainer's"
                            + " now run in SCHED_IDLE, on the CPU the step leaves",
                    o.changed());
        }

        void restore(String why, boolean trainingOver) {
            if (threads == null || !threads.lowered()) {
                return;
            }
            BackgroundThreads.Outcome o = threads.restore();
            if (o.failure().isPresent()) {
                stuck = true;
                failure = o.failure().get();
                // After training nothing competes with them: only worth a warning while it trains.
                LOG.atLevel(trainingOver ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.WARN)
                        .log(
                                "{}, but the JVM's other threads cannot leave SCHED_IDLE ({}):"
                                        + " they stay there, on the cores the trainer leaves",
                                why,
                                failure);
                return;
            }
            LOG.info("{}: {} threads of the JVM back in SCHED_OTHER", why, o.changed());
        }

        /**
         * {@code thread_policy} (the one applied: {@code auto} resolves to background or off,
         * {@code thread_policy_setting} says it was chosen) and, once it acted, what it did.
         */
        void describe(ObjectNode s) {
            s.put(
                    "thread_policy",
                    policy != IdleThreadPolicy.AUTO
                            ? policy.label()
                            : threads != null
                                    ? IdleThreadPolicy.BACKGROUND.label()
                                    : IdleThreadPolicy.OFF.label());
            if (policy == IdleThreadPolicy.AUTO) {
                s.put("thread_policy_setting", policy.label());
            }
            if (autoOff != null) {
                s.put("thread_policy_auto_off", autoOff);
            }
            if (lowered >= 0) {
                s.put("background_threads", lowered);
            }
            if (failure != null) {
                s.put("thread_policy_failure", failure);
            }
        }
    }

    private ObjectNode summary(
            DemoData data,
            DemoTokenizer tokenizer,
            ImportStats imported,
            PipelineCounts counts,
            TrainingSummary training,
            ScorerCounts scorer,
            Instant trainingStarted,
            FilterConfig filter,
            AdaptivePace pace,
            ImportProgress progress,
            TrainerFeed feed,
            List<JobWatch.JobReport> jobs,
            String failure,
            Optional<CurationIdle.Figure> idleTraining,
            double[] idleStepMillis,
            double elapsedSeconds) {
        ObjectNode s = Json.object();
        s.put("status", failure == null ? "ok" : "failed");
        if (failure != null) {
            s.put("failure", BoundedText.cap(failure, 2 * BoundedText.MAX_DETAIL));
        }
        s.set("jobs", Json.tree(jobs));
        s.put("source", data.source());
        s.put("source_note", data.note());
        s.set("languages", Json.tree(data.languages()));
        s.put("minutes", config.training().toSeconds() / 60.0);
        s.put("max_steps", config.maxSteps()); // 0: no step limit
        // pairs/s, 0: unthrottled; "auto": paced by the trainer (import_pace says how)
        if (config.importRate().adaptive()) {
            s.put("import_rate", config.importRate().toString());
        } else {
            s.put("import_rate", config.importRate().pairsPerSecond());
        }
        s.set("import_pace", paceSummary(pace, progress));
        s.put("job_checkpoint_interval_ms", config.jobCheckpointInterval().toMillis());
        s.put("job_checkpoint_interval_idle_ms", periodicCheckpointInterval().toMillis());
        if (data.importer() instanceof NoisyImporter noisy) {
            ObjectNode noise = s.putObject("noise");
            Map<String, Double> rates = new java.util.TreeMap<>();
            noisy.config().rates().forEach((k, v) -> rates.put(k.code(), v));
            noise.set("rates", Json.tree(rates));
            noise.put("seed", noisy.config().seed());
            noise.put("injected", noisy.injected());
            noise.set("emitted", Json.tree(noisy.emitted()));
        }
        var language = config.filter().language();
        if (!language.caps().isEmpty()) {
            ObjectNode caps = s.putObject("language_caps");
            caps.set("caps", Json.tree(new java.util.TreeMap<>(language.caps())));
            caps.put(
                    "window",
                    language.capWindow().isZero() ? "lifetime" : language.capWindow().toString());
        }
        s.set("tokenizer", tokenizer.summary());
        s.put("raw", counts.raw());
        s.put("curated", counts.curated());
        s.set("rejected", Json.tree(counts.rejected()));
        s.put("rejected_total", counts.rejectedTotal());
        s.set("rejected_by_stage", Json.tree(counts.rejectedByStage()));
        s.put("examples", counts.examples());
        if (data.evalSet() == null) {
            s.putNull("eval_set"); // no held-out evaluation: "source_note" says why
        } else {
            s.put("eval_set", data.evalSet().toString());
        }
        s.set("scorer", scorerSummary(scorer, trainingStarted));
        if (config.curatedSinks().enabled() || config.exampleSinks().enabled()) {
            s.set("file_sinks", DemoShards.summary(config.curatedSinks(), config.exampleSinks()));
        }
        s.put("rendered_text", config.render() != null);
        // Which seed model trained (the tokenize job renders by itself for CLIPPO).
        s.put("model", config.trainer().model().name());
        s.put("model_family", config.trainer().model().family().name().toLowerCase(Locale.ROOT));
        s.set("decontamination", decontaminationSummary(filter, data.evalSet(), counts));
        s.setAll(finite(Json.training(training))); // with the held-out evaluation as "eval"
        // Beside the trainer's own figures: the freshness once the import's pace holds.
        LatencyStats.Percentiles steady = feed.freshnessAfterWarmup();
        ObjectNode afterWarmup = Json.object();
        afterWarmup.put("examples", steady.count());
        putFinite(afterWarmup, "p50_ms", steady.p50Millis());
        putFinite(afterWarmup, "p95_ms", steady.p95Millis());
        afterWarmup.put("warmup_s", feed.warmup().toMillis() / 1000.0);
        s.withObject("freshness").set("after_warmup", afterWarmup);
        putFinite(s, "freshness_after_warmup_p50_ms", steady.p50Millis());
        putFinite(s, "freshness_after_warmup_p95_ms", steady.p95Millis());
        s.set("trainer_when_curation_idle", idleTrainingSummary(idleTraining, idleStepMillis));
        if (imported != null) {
            s.set("import", Json.tree(imported));
        }
        s.put("elapsed_seconds", elapsedSeconds);
        return s;
    }

    /**
     * The live-model loop's figures ({@link ScorerCounts}); {@code enabled: false} and nothing else
     * when the loop was off. {@code first_scored_after_training_s}: from the trainer's first step
     * to the first pair a model judged (null when none was); {@code
     * first_model_update_after_training_s}: to the first model update announced; {@code
     * by_noise_kind}, when noise was injected: the pairs a model judged per kind ({@code source}:
     * not injected), scored and refused, and the share refused (for {@code unrelated_caption}, the
     * loop's recall of them).
     */
    private ObjectNode scorerSummary(ScorerCounts scorer, Instant trainingStarted) {
        ObjectNode s = Json.object();
        s.put("enabled", config.filter().crossModal().enabled());
        if (scorer == null) {
            return s;
        }
        s.put("model_updates_seen", scorer.modelUpdatesSeen());
        s.put("scored", scorer.scored());
        s.put("unscored", scorer.unscored());
        s.put("refused", scorer.refused());
        s.put("score_errors", scorer.scoreErrors());
        s.set("model_versions", Json.tree(scorer.modelVersions()));
        putFinite(s, "first_scored_after_training_s", scorer.firstScoredAfter(trainingStarted));
        // The first of those two steps: the checkpoint announced; then the filter loads it.
        putFinite(
                s,
                "first_model_update_after_training_s",
                scorer.firstModelUpdateAfter(trainingStarted));
        if (!scorer.byNoiseKind().isEmpty()) {
            ObjectNode kinds = s.putObject("by_noise_kind");
            scorer.byNoiseKind()
                    .forEach(
                            (kind, judged) -> {
                                ObjectNode k = kinds.putObject(kind);
                                k.put("scored", judged.scored());
                                k.put("refused", judged.refused());
                                putFinite(k, "refused_share", judged.refusedShare());
                            });
        }
        s.put("top_fraction", config.filter().crossModal().topFraction());
        s.put("checkpoint_every", config.trainer().checkpointEvery());
        return s;
    }

    /**
     * How the import was paced: {@code mode} (adaptive, fixed, unthrottled), {@code setting} (as
     * given), {@code pairs_sent} and {@code pairs_per_second} (sent over the import's time); when
     * adaptive, the pace's readings as of the trainer's latest progress: its examples per second,
     * the lead of examples kept waiting and the rate set; and the share of readings after the first
     * step with less than a batch waiting for the trainer.
     */
    private ObjectNode paceSummary(AdaptivePace pace, ImportProgress progress) {
        ObjectNode p = Json.object();
        p.put("mode", config.importRate().mode());
        p.put("setting", config.importRate().toString());
        p.put("pairs_sent", progress.sent());
        putFinite(p, "pairs_per_second", progress.pairsPerSecond());
        if (pace != null) {
            double[] latest = pace.whileTraining();
            p.put("lead_batches", AdaptivePace.LEAD_BATCHES);
            putFinite(p, "trainer_examples_per_second", latest[0]);
            putFinite(p, "lead_examples", latest[1]);
            putFinite(p, "rate_last", latest[2]);
            putFinite(p, "trainer_starved_share", pace.starvedShare());
        }
        return p;
    }

    /**
     * Decontamination against the held-out set: whether it was on, the evaluation sets the filter
     * indexed, and the pairs it refused as near copies of their images.
     */
    private ObjectNode decontaminationSummary(
            FilterConfig filter, Path evalSet, PipelineCounts counts) {
        ObjectNode d = Json.object();
        d.put("enabled", config.decontaminate() && evalSet != null);
        d.set("eval_sets", Json.tree(filter.nearDuplicates().evalSets()));
        d.put(
                "refused",
                counts.rejected().getOrDefault(RejectReason.EVAL_CONTAMINATION.code(), 0L));
        return d;
    }

    private static void putFinite(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }

    /**
     * The trainer's examples/s over the training time after curation went idle (the import ended
     * and the jobs had nothing left: {@link CurationIdle}), for comparison with {@code streamlip
     * bench trainer}; null when curation was not idle for {@link #MIN_IDLE_TRAINING} at the end.
     */
    private ObjectNode idleTrainingSummary(
            Optional<CurationIdle.Figure> figure, double[] stepMillis) {
        if (figure.isEmpty()) {
            return null;
        }
        CurationIdle.Figure f = figure.get();
        ObjectNode s = Json.object();
        s.put("examples_per_second", Math.round(f.examplesPerSecond() * 10) / 10.0);
        s.put("seconds", Math.round(f.seconds() * 10) / 10.0);
        s.put("examples", f.examples());
        s.put("idle_after_training_s", Math.round(f.afterTrainingStartSeconds() * 10) / 10.0);
        s.put("threads", config.trainer().threads());
        s.put("threads_while_curating", config.threadsWhileCurating());
        s.put("prefetch_batches", config.trainer().prefetchBatches());
        idleThreads.describe(s);
        // Where the idle time went: a step slower than `bench trainer`'s, or time outside it.
        ObjectNode loop = s.putObject("loop_seconds");
        f.loopSeconds().forEach((part, seconds) -> loop.put(part, Math.round(seconds * 10) / 10.0));
        double steps = (double) f.examples() / config.trainer().batchSize();
        Double stepSeconds = f.loopSeconds().get(LoopTimes.STEP);
        if (stepSeconds != null && steps > 0) {
            s.put("step_ms", Math.round(stepSeconds * 1e4 / steps) / 10.0);
        }
        // The median step is what `bench trainer` reports: the mean above also holds the steps
        // that something else in the process (a checkpoint, the JIT, a model load) slowed.
        if (stepMillis.length > 0) {
            double[] sorted = stepMillis.clone();
            Arrays.sort(sorted);
            s.put("step_ms_median", Math.round(quantile(sorted, 0.5) * 10) / 10.0);
            s.put("step_ms_p90", Math.round(quantile(sorted, 0.9) * 10) / 10.0);
        }
        return s;
    }

    /** The nearest-rank {@code q} quantile of {@code sorted} (ascending, not empty). */
    private static double quantile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * {@code node} with every non-finite number (a loss before the first step) as null: JSON has no
     * NaN.
     */
    private static ObjectNode finite(ObjectNode node) {
        node.properties()
                .forEach(
                        e -> {
                            JsonNode v = e.getValue();
                            if (v.isNumber() && !Double.isFinite(v.asDouble())) {
                                e.setValue(node.nullNode());
                            } else if (v instanceof ObjectNode o) {
                                finite(o);
                            }
                        });
        return node;
    }

    /** The import's statistics, or null when training ended before the import did. */
    private static ImportStats awaitImport(CompletableFuture<ImportStats> importing) {
        try {
            return importing.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof CancellationException c) {
                LOG.info("import stopped: {}", c.getMessage());
                return null;
            }
            throw e;
        }
    }

    /** Creates {@code out} and clears what an earlier run left in the folders this run owns. */
    private static void prepare(Path out) throws IOException {
        Files.createDirectories(out);
        for (String owned : OWNED) {
            Path p = out.resolve(owned);
            if (Files.exists(p)) {
                LOG.info("removing {} from an earlier run", p);
                PathUtils.delete(p);
            }
        }
    }

    private static double elapsedSeconds(long started) {
        return Math.round((System.nanoTime() - started) / 1e8) / 10.0;
    }

    /** Pairs the import sent and when it started and ended; thread-safe. */
    static final class ImportProgress {
        private volatile long sent;
        private volatile long startNanos = -1;
        private volatile long endNanos = -1;

        void started() {
            startNanos = System.nanoTime();
        }

        void sent(long pairs) {
            sent = pairs;
        }

        void ended() {
            if (startNanos >= 0) {
                endNanos = System.nanoTime();
            }
        }

        long sent() {
            return sent;
        }

        /** Pairs sent per second of the import's time; NaN before it started. */
        double pairsPerSecond() {
            if (startNanos < 0) {
                return Double.NaN;
            }
            long end = endNanos >= 0 ? endNanos : System.nanoTime();
            return sent / Math.max(1e-3, (end - startNanos) / 1e9);
        }
    }

    /**
     * Holds the import to {@code rate} pairs a second (0: no limit) by sleeping until the {@code
     * n}-th pair is due, so the average rate holds even when single sends are slow.
     */
    record ImportPace(double rate, long startNanos) {
        /**
         * How long to wait at {@code now} before the pair after {@code sent} may go; 0: at once.
         */
        long waitNanos(long sent, long now) {
            return rate <= 0 ? 0 : Math.max(0, startNanos + (long) (sent / rate * 1e9) - now);
        }

        void await(long sent) {
            long wait = waitNanos(sent, System.nanoTime());
            if (wait > 0) {
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("import interrupted after " + sent + " pairs");
                }
            }
        }
    }
}
