package io.streamlip.deploy;

import static io.streamlip.deploy.PipelineOnCluster.PARALLELISM;
import static io.streamlip.deploy.PipelineOnCluster.WAIT;
import static io.streamlip.deploy.PipelineOnCluster.jobsOf;
import static io.streamlip.deploy.PipelineOnCluster.millisSince;
import static io.streamlip.deploy.PipelineOnCluster.streamlipJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlip.deploy.PipelineOnCluster.Through;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.ModelUpdatePublisher;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live-model loop on a real deployment: a Kafka broker process and a standalone Flink session
 * cluster (a JobManager and two TaskManagers started with DJL's offline settings; {@link
 * StandaloneCluster}, shared with the other cluster tests), the filter job submitted from the
 * {@code jobs-scorer} jar with {@code streamlip submit --live-model} at parallelism 2, its two
 * instances spread over both TaskManagers. Pairs sent before any model pass unscored; then a
 * checkpoint is written to a local folder (every TaskManager runs on this machine, so they all read
 * it at that path) and its {@code ModelUpdate} published on {@code model-updates}: the filter's
 * instances on the TaskManagers load it, and curated pairs and {@code low_crossmodal_score}
 * refusals carry its version, each pair exactly once.
 *
 * <p>It runs before {@link ClusterIT}, which kills a TaskManager: on the cluster as it starts.
 */
@Order(1)
@Tag("integration")
class LiveModelClusterIT {
    private static final Logger LOG = LoggerFactory.getLogger(LiveModelClusterIT.class);

    @RegisterExtension
    static final PipelineOnCluster pipeline = new PipelineOnCluster("live-model-it");

    @Test
    void aPublishedCheckpointIsLoadedOnTheTaskManagersAndScoredRecordsCarryItsVersion()
            throws Exception {
        Path scorerJar = PipelineOnCluster.jobsScorerJar();
        Path plainJar = PipelineOnCluster.jobsJar();
        assertThat(scorerJar).as("the jobs-scorer jar (built at package)").isRegularFile();
        LOG.info(
                "FIGURE jar sizes: jobs {} bytes, jobs-scorer {} bytes",
                Files.size(plainJar),
                Files.size(scorerJar));

        // What the bigger jar costs a deployment: the filter from the jobs jar (no scoring) until
        // RUNNING, cancelled, then from the jobs-scorer jar. The first deployment on the fresh
        // cluster also warms it up, which favours the second.
        long submitting = System.nanoTime();
        String plainJob = submitFilter(plainJar);
        pipeline.awaitRunning(List.of(plainJob));
        long plainMs = millisSince(submitting);
        pipeline.cancel(plainJob);
        pipeline.cluster().awaitIdle();

        // The filter with scoring on, and a policy that refuses soon: after 3 scores of a
        // language (per instance and model), the lower half of its last 20.
        submitting = System.nanoTime();
        String job =
                submitFilter(
                        scorerJar,
                        "--live-model",
                        "--crossmodal-top-fraction=0.5",
                        "--crossmodal-window=20",
                        "--crossmodal-warmup=3");
        pipeline.awaitRunning(List.of(job));
        LOG.info(
                "FIGURE submit the filter (upload, main) until RUNNING: jobs jar {} ms, jobs-scorer"
                        + " jar {} ms",
                plainMs,
                millisSince(submitting));
        // The cluster spreads slots: each TaskManager runs one of the filter's instances, so each
        // JVM loads libtorch and the model itself.
        assertThat(pipeline.flink().tasksPerTaskManager(job))
                .as("the filter's tasks by TaskManager")
                .hasSize(PARALLELISM);

        // Before any model: every pair passes the cross-modal stage unscored.
        List<String> beforeModel = pipeline.send(30, 1);
        pipeline.awaitAccountedFor(beforeModel, Through.FILTER);
        List<CuratedPair> unscored = pipeline.curatedOf(beforeModel);
        assertThat(unscored).as("curated pairs sent before any model").isNotEmpty();
        assertThat(unscored)
                .allSatisfy(
                        c -> {
                            assertThat(c.getModelVersion()).as("model version").isNull();
                            assertThat(c.getCrossmodalScore()).as("score").isNull();
                        });
        assertThat(pipeline.rejectsOf(beforeModel))
                .extracting(r -> String.valueOf(r.getReason()))
                .doesNotContain(RejectReason.LOW_CROSSMODAL_SCORE.code());
        Map<Long, Long> rssBefore = taskManagerRss();

        // A checkpoint in a folder every TaskManager reads at the same path, announced like the
        // trainer announces its own.
        ModelUpdate update = writeCheckpoint(pipeline.home().resolve("trainer-checkpoints"));
        String version = update.getModelVersion();
        long published;
        try (ModelUpdatePublisher publisher =
                new ModelUpdatePublisher(pipeline.kafka(), pipeline.topics().modelUpdates())) {
            published = System.nanoTime();
            publisher.onCheckpoint(Path.of(update.getCheckpointPath()), readState(update));
        }
        assertThat(TopicReader.count(pipeline.kafka(), pipeline.topics().modelUpdates()))
                .as("model updates published")
                .isEqualTo(1);

        // Pairs keep coming; the first committed record scored by the new model ends the wait.
        long seed = 2;
        long firstScoredMs = -1;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (firstScoredMs < 0 && System.nanoTime() < deadline) {
            pipeline.send(10, seed++);
            long pollUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < pollUntil) {
                if (!scoredIds(version).isEmpty()) {
                    firstScoredMs = millisSince(published);
                    break;
                }
                Thread.sleep(100);
            }
        }
        assertThat(firstScoredMs)
                .as(
                        "a record scored by %s within %s; TaskManager logs in %s",
                        version, WAIT, pipeline.cluster().home())
                .isNotNegative();
        LOG.info(
                "FIGURE model update published -> first committed record scored by it: {} ms",
                firstScoredMs);

        // Batches until one passes wholly scored (both instances have the model) and the model
        // has refused pairs.
        List<String> scoredBatch = List.of();
        while (System.nanoTime() < deadline) {
            List<String> batch = pipeline.send(20, seed++);
            pipeline.awaitAccountedFor(batch, Through.FILTER);
            List<CuratedPair> curated = pipeline.curatedOf(batch);
            if (!curated.isEmpty()
                    && curated.stream().allMatch(c -> version.equals(modelVersion(c)))) {
                scoredBatch = batch;
            }
            if (!scoredBatch.isEmpty() && !lowScoreRejects(version).isEmpty()) {
                break;
            }
        }
        assertThat(scoredBatch)
                .as(
                        "a batch whose curated pairs all carry %s; scored so far: %d",
                        version, scoredIds(version).size())
                .isNotEmpty();
        List<Reject> refused = lowScoreRejects(version);
        assertThat(refused).as("low_crossmodal_score rejects under %s", version).isNotEmpty();
        assertThat(refused)
                .allSatisfy(
                        r -> {
                            assertThat(String.valueOf(r.getStage())).isEqualTo("filter");
                            assertThat(String.valueOf(r.getDetail())).contains(version);
                        });
        for (CuratedPair c : pipeline.curatedOf(scoredBatch)) {
            assertThat(c.getCrossmodalScore())
                    .as("score of %s", c.getPair().getId())
                    .isNotNull()
                    .isBetween(-1.001f, 1.001f);
        }

        // Every record either unscored or scored by the one model, each pair exactly once.
        pipeline.assertExactlyOnce(Through.FILTER);
        List<CuratedPair> allCurated = pipeline.curated();
        assertThat(allCurated)
                .allSatisfy(
                        c ->
                                assertThat(c.getModelVersion() == null)
                                        .as("%s: no version iff no score", c.getPair().getId())
                                        .isEqualTo(c.getCrossmodalScore() == null));
        Set<String> versions = new LinkedHashSet<>();
        allCurated.forEach(c -> versions.add(modelVersion(c)));
        pipeline.rejects().stream()
                .filter(r -> r.getModelVersion() != null)
                .forEach(r -> versions.add(r.getModelVersion().toString()));
        versions.remove(null);
        assertThat(versions).as("model versions on records").containsExactly(version);

        // Each instance loaded the model on its own TaskManager: their logs say so, and the
        // counters.
        Map<String, Long> loads = modelLoadsInTaskManagerLogs(version);
        assertThat(loads)
                .as("'scoring with %s' lines in the TaskManagers' logs", version)
                .hasSize(2);
        assertThat(
                        loads.keySet().stream()
                                .map(line -> line.substring(0, line.indexOf(':')))
                                .distinct())
                .as("TaskManager logs with a 'scoring with %s' line: %s", version, loads)
                .hasSize(PARALLELISM);
        LOG.info("FIGURE model load per instance (TaskManager log, ms): {}", loads);
        Map<Long, Long> rssAfter = taskManagerRss();
        LOG.info(
                "FIGURE TaskManager RSS (KiB, by pid) before the model: {}, after: {}",
                rssBefore,
                rssAfter);
        Map<String, Double> counters =
                awaitCounters(
                        job,
                        c ->
                                c.getOrDefault("models_loaded", 0.0) >= PARALLELISM
                                        && c.getOrDefault("unscored", 0.0) >= unscored.size()
                                        && c.getOrDefault("scored", 0.0) > 0);
        LOG.info("FIGURE cross-modal counters of the filter job: {}", counters);
        assertThat(counters.getOrDefault("models_loaded", 0.0))
                .as("models loaded, all instances (counters %s)", counters)
                .isGreaterThanOrEqualTo(PARALLELISM);
        assertThat(counters.getOrDefault("unscored", 0.0))
                .as("pairs passed unscored (counters %s)", counters)
                .isGreaterThanOrEqualTo(unscored.size());
        assertThat(counters.getOrDefault("model_load_failures", 0.0)).isZero();
    }

    // ---------------------------------------------------------------------------------------------

    /** A checkpoint of a fresh tiny model under {@code root}, as the trainer would announce it. */
    static ModelUpdate writeCheckpoint(Path root) throws Exception {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        CheckpointStore store = new CheckpointStore(root, 1);
        TrainingState state =
                new TrainingState(
                        "cluster-it/" + CheckpointStore.folderName(1),
                        1,
                        0,
                        0,
                        List.of(),
                        model,
                        tokenizer.version(),
                        null,
                        null,
                        10,
                        -10,
                        Instant.now().toString(),
                        Map.of(),
                        List.of(),
                        null,
                        null);
        try (TrainingSession session =
                TrainingSession.create(model, OptimizerConfig.defaults(), 1)) {
            return ModelUpdatePublisher.toRecord(store.write(state, session::save), state);
        }
    }

    static TrainingState readState(ModelUpdate update) {
        return CheckpointStore.readState(Path.of(update.getCheckpointPath()));
    }

    /** {@code streamlip submit} of the filter job alone from {@code jar}; returns its id. */
    static String submitFilter(Path jar, String... options) {
        List<String> args = pipeline.submitArguments(jar);
        args.addAll(List.of("--jobs=filter", "--restart-attempts=2", "--restart-delay-ms=1000"));
        args.addAll(List.of(options));
        JsonNode submitted = streamlipJson(args);
        String job = jobsOf(submitted).getOrDefault("filter", "");
        assertThat(job).as("submit's answer: %s", submitted).isNotEmpty();
        return job;
    }

    static String modelVersion(CuratedPair c) {
        return c.getModelVersion() == null ? null : c.getModelVersion().toString();
    }

    /** Ids of the committed records (curated or refused) that {@code version} scored. */
    static Set<String> scoredIds(String version) {
        Set<String> ids = new HashSet<>();
        for (CuratedPair c : pipeline.curated()) {
            if (version.equals(modelVersion(c))) {
                ids.add(String.valueOf(c.getPair().getId()));
            }
        }
        for (Reject r : pipeline.rejects()) {
            if (r.getModelVersion() != null && version.equals(r.getModelVersion().toString())) {
                ids.add(String.valueOf(r.getId()));
            }
        }
        return ids;
    }

    static List<Reject> lowScoreRejects(String version) {
        return pipeline.rejects().stream()
                .filter(r -> RejectReason.LOW_CROSSMODAL_SCORE.code().equals("" + r.getReason()))
                .filter(r -> r.getModelVersion() != null)
                .filter(r -> version.equals(r.getModelVersion().toString()))
                .toList();
    }

    private static final Pattern LOADED =
            Pattern.compile("scoring with (\\S+) \\(loaded in (\\d+) ms\\)");

    /** "scoring with VERSION (loaded in N ms)" lines of the TaskManagers' logs: N by log line. */
    static Map<String, Long> modelLoadsInTaskManagerLogs(String version) throws IOException {
        Map<String, Long> loads = new LinkedHashMap<>();
        Path logDir = pipeline.cluster().home().resolve("flink").resolve("log");
        try (Stream<Path> logs = Files.list(logDir)) {
            for (Path log :
                    logs.filter(p -> p.getFileName().toString().matches("taskmanager-\\d+\\.log"))
                            .sorted()
                            .toList()) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = LOADED.matcher(lines.get(i));
                    if (m.find() && m.group(1).equals(version)) {
                        loads.put(log.getFileName() + ":" + (i + 1), Long.parseLong(m.group(2)));
                    }
                }
            }
        }
        return loads;
    }

    /** Resident memory of each TaskManager process (KiB, by pid); -1 where not readable. */
    static Map<Long, Long> taskManagerRss() {
        Map<Long, Long> rss = new TreeMap<>();
        for (JavaProcess tm : pipeline.flink().taskManagers()) {
            long kib = -1;
            try {
                for (String line : Files.readAllLines(Path.of("/proc", "" + tm.pid(), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kib = Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                kib = -1;
            }
            rss.put(tm.pid(), kib);
        }
        return rss;
    }

    /**
     * The cross-modal stage's counters ({@code <operator>.streamlip.<name>}) summed over the job's
     * subtasks, polled until {@code done} holds or {@link PipelineOnCluster#WAIT} passes (the REST
     * API's metrics lag by the fetcher's interval).
     */
    static Map<String, Double> awaitCounters(String job, Predicate<Map<String, Double>> done)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Double> counters = Map.of();
        while (System.nanoTime() < deadline) {
            counters = counters(job);
            if (done.test(counters)) {
                return counters;
            }
            Thread.sleep(1000);
        }
        return counters;
    }

    static Map<String, Double> counters(String job) throws Exception {
        Set<String> names = Set.of("scored", "unscored", "models_loaded", "model_load_failures");
        Map<String, Double> sums = new TreeMap<>();
        for (JsonNode vertex : pipeline.rest().get("jobs/" + job).path("vertices")) {
            String path = "jobs/" + job + "/vertices/" + vertex.path("id").asText();
            List<String> ids = new ArrayList<>();
            for (JsonNode m : pipeline.rest().get(path + "/subtasks/metrics")) {
                String id = m.path("id").asText();
                int dot = id.lastIndexOf('.');
                if (dot > 0
                        && id.substring(0, dot).endsWith(".streamlip")
                        && names.contains(id.substring(dot + 1))) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            String get = URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
            for (JsonNode m :
                    pipeline.rest().get(path + "/subtasks/metrics?get=" + get + "&agg=sum")) {
                String id = m.path("id").asText();
                sums.merge(
                        id.substring(id.lastIndexOf('.') + 1),
                        m.path("sum").asDouble(),
                        Double::sum);
            }
        }
        return sums;
    }
}
