package io.streamlip.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.app.FlinkRestClient;
import io.streamlip.app.Streamlip;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One test class's pipeline on the run's shared {@link StandaloneCluster}, registered as a static
 * {@code @RegisterExtension} field: its own topic prefix and folder (checkpoints, savepoints, the
 * trainer's files), the pairs it sent, and the steps the cluster tests share: {@code streamlip}
 * commands run in this JVM, synthetic pairs sent, the output topics read (committed records only),
 * jobs waited for. Before the class the cluster is idle ({@link StandaloneCluster#awaitIdle});
 * after it every job still on the cluster is cancelled, whether its tests passed or not.
 */
final class PipelineOnCluster implements BeforeAllCallback, AfterAllCallback {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineOnCluster.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    static final Duration WAIT = StandaloneCluster.WAIT;

    /** The parallelism the tests submit the jobs at: one subtask on each TaskManager. */
    static final int PARALLELISM = StandaloneCluster.TASK_MANAGERS;

    /** The last job the pairs go through, so where a pair that passes ends up. */
    enum Through {
        /** {@code curated-pairs} */
        FILTER,
        /** {@code curated-pairs}, then {@code examples} */
        TOKENIZE
    }

    private final String name;
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private StandaloneCluster cluster;
    private Path home;
    private PipelineTopics topics;

    /**
     * @param name the folder under the cluster's home and the topic prefix ({@code name-})
     */
    PipelineOnCluster(String name) {
        this.name = name;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = StandaloneCluster.shared(context);
        cluster.awaitIdle();
        home = Files.createDirectories(cluster.home().resolve(name));
        topics = PipelineTopics.defaults().prefixed(topicPrefix());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            cluster.cancelAllJobs();
            LOG.info("{}: its files (checkpoints, savepoints, ...) are kept in {}", name, home);
        }
    }

    StandaloneCluster cluster() {
        return cluster;
    }

    FlinkCluster flink() {
        return cluster.flink();
    }

    KafkaBrokerProcess broker() {
        return cluster.broker();
    }

    KafkaClients kafka() {
        return cluster.kafka();
    }

    FlinkRestClient rest() {
        return cluster.rest();
    }

    /** This class's folder. */
    Path home() {
        return home;
    }

    String topicPrefix() {
        return name + "-";
    }

    PipelineTopics topics() {
        return topics;
    }

    /** Every pair id sent so far, in order (a live view). */
    List<String> sent() {
        return Collections.unmodifiableList(sent);
    }

    /** The jobs' fat jar without the live model's scorer (built at {@code package}). */
    static Path jobsJar() {
        return Path.of(System.getProperty("streamlip.jobs.jar"));
    }

    /** The jobs' fat jar with the live model's scorer (built at {@code package}). */
    static Path jobsScorerJar() {
        return Path.of(System.getProperty("streamlip.jobs.scorer.jar"));
    }

    // ---------------------------------------------------------------------------------------------
    // The command line

    /**
     * {@code streamlip submit} of the jobs in {@code jar} to this pipeline: the cluster, the
     * broker, this class's topic prefix and checkpoint folder, parallelism {@value #PARALLELISM}, 1
     * s checkpoints; the caller adds the rest.
     */
    List<String> submitArguments(Path jar) {
        return new ArrayList<>(
                List.of(
                        "submit",
                        "--flink=" + flink().restUrl(),
                        "--jar=" + jar,
                        "--bootstrap=" + broker().bootstrapServers(),
                        "--topic-prefix=" + topicPrefix(),
                        "--checkpoint-dir=" + home.resolve("checkpoints").toUri(),
                        "--parallelism=" + PARALLELISM,
                        "--checkpoint-interval-ms=1000"));
    }

    /** Runs the command line in this JVM; asserts it succeeded and returns what it printed. */
    static String streamlip(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc =
                Streamlip.commandLine()
                        .setOut(new PrintWriter(out))
                        .setErr(new PrintWriter(err))
                        .execute(args.toArray(String[]::new));
        assertThat(rc).as("streamlip %s: %s %s", args, out, err).isZero();
        return out.toString();
    }

    /** {@link #streamlip} of a command that prints JSON, parsed. */
    static JsonNode streamlipJson(List<String> args) {
        try {
            return JSON.readTree(streamlip(args));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The job ids of a {@code submit} or {@code stop} answer, by job name. */
    static Map<String, String> jobsOf(JsonNode answer) {
        Map<String, String> jobs = new LinkedHashMap<>();
        answer.path("jobs")
                .fields()
                .forEachRemaining(e -> jobs.put(e.getKey(), e.getValue().asText()));
        assertThat(jobs).as("job ids in %s", answer).isNotEmpty();
        return jobs;
    }

    // ---------------------------------------------------------------------------------------------
    // Input

    /** Sends {@code count} synthetic pairs of {@code seed} at once; returns their ids. */
    List<String> send(int count, long seed) {
        return send(count, seed, Duration.ZERO);
    }

    /**
     * Sends {@code count} synthetic pairs of {@code seed}, pausing {@code pause} after each (each
     * then flushed and counted as sent before the pause); returns their ids.
     */
    List<String> send(int count, long seed, Duration pause) {
        List<String> ids = new ArrayList<>();
        try (PairProducer producer = new PairProducer(kafka(), topics.rawPairs())) {
            var pairs = new SyntheticPairs(32).pairs(count, seed);
            while (pairs.hasNext()) {
                RawPair pair = pairs.next();
                producer.send(pair);
                if (!pause.isZero()) {
                    producer.flush();
                }
                sent.add(pair.getId());
                ids.add(pair.getId());
                if (!pause.isZero()) {
                    Thread.sleep(pause.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return ids;
    }

    /** Sends one pair. */
    void sendOne(RawPair pair) {
        try (PairProducer producer = new PairProducer(kafka(), topics.rawPairs())) {
            producer.send(pair);
            producer.flush();
            sent.add(pair.getId());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Output (read_committed)

    List<CuratedPair> curated() {
        return TopicReader.readAll(kafka(), topics.curatedPairs(), AvroSerde.of(CuratedPair.class));
    }

    List<Reject> rejects() {
        return TopicReader.readAll(kafka(), topics.rejects(), AvroSerde.of(Reject.class));
    }

    List<Example> examples() {
        return TopicReader.readAll(kafka(), topics.examples(), AvroSerde.of(Example.class));
    }

    List<String> curatedIds() {
        return curated().stream().map(c -> String.valueOf(c.getPair().getId())).toList();
    }

    List<String> rejectedIds() {
        return rejects().stream().map(r -> String.valueOf(r.getId())).toList();
    }

    List<String> exampleIds() {
        return examples().stream().map(e -> String.valueOf(e.getId())).toList();
    }

    /** The curated pairs among {@code ids}. */
    List<CuratedPair> curatedOf(Collection<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        return curated().stream()
                .filter(c -> wanted.contains(String.valueOf(c.getPair().getId())))
                .toList();
    }

    /** The rejects of {@code ids}. */
    List<Reject> rejectsOf(Collection<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        return rejects().stream().filter(r -> wanted.contains(String.valueOf(r.getId()))).toList();
    }

    /** How many rejects there are of each reason. */
    Map<String, Long> rejectReasons() {
        return rejects().stream()
                .collect(
                        Collectors.groupingBy(
                                r -> String.valueOf(r.getReason()),
                                TreeMap::new,
                                Collectors.counting()));
    }

    /**
     * Waits until each of {@code ids} is out of the pipeline: refused, or through the last job
     * ({@code through}). Fails after {@link #WAIT} naming the ones missing.
     */
    void awaitAccountedFor(Collection<String> ids, Through through) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Set<String> seen = Set.of();
        while (System.nanoTime() < deadline) {
            seen = new HashSet<>(through == Through.TOKENIZE ? exampleIds() : curatedIds());
            seen.addAll(rejectedIds());
            if (seen.containsAll(ids)) {
                return;
            }
            Thread.sleep(300);
        }
        Set<String> missing = new LinkedHashSet<>(ids);
        missing.removeAll(seen);
        throw new AssertionError(
                "neither through "
                        + through
                        + " nor refused after "
                        + WAIT
                        + ": "
                        + missing
                        + "; jobs "
                        + rest().jobs());
    }

    /**
     * Every pair sent is curated once or refused once, and nothing else is there; through {@code
     * TOKENIZE}, every curated pair is also an example, once.
     */
    void assertExactlyOnce(Through through) {
        List<String> curated = curatedIds();
        List<String> rejected = rejectedIds();
        assertThat(curated).as("curated ids").doesNotHaveDuplicates();
        assertThat(rejected).as("rejected ids").doesNotHaveDuplicates();
        List<String> all = new ArrayList<>(curated);
        all.addAll(rejected);
        assertThat(all)
                .as("curated and refused ids; rejects by reason %s", rejectReasons())
                .containsExactlyInAnyOrderElementsOf(sent);
        if (through == Through.TOKENIZE) {
            List<String> examples = exampleIds();
            assertThat(examples).as("example ids").doesNotHaveDuplicates();
            assertThat(examples).as("examples").containsExactlyInAnyOrderElementsOf(curated);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Jobs

    /**
     * Waits until each of {@code jobIds} is RUNNING with all its tasks; fails at once when one has
     * ended (FAILED, CANCELED, FINISHED), with its exceptions.
     */
    void awaitRunning(Collection<String> jobIds) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (String job : jobIds) {
                JsonNode detail = rest().get("jobs/" + job);
                String state = detail.path("state").asText();
                if (Set.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                    throw new AssertionError(
                            "job "
                                    + detail.path("name").asText()
                                    + " "
                                    + job
                                    + " "
                                    + state
                                    + ": "
                                    + rest().get("jobs/" + job + "/exceptions"));
                }
                all &= state.equals("RUNNING");
                for (JsonNode vertex : detail.path("vertices")) {
                    all &=
                            vertex.path("tasks").path("RUNNING").asInt()
                                    == vertex.path("parallelism").asInt();
                }
            }
            if (all) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(
                "jobs " + jobIds + " not all RUNNING after " + WAIT + ": " + rest().jobs());
    }

    /** Waits until job {@code job} is in state {@code state}; fails after {@link #WAIT}. */
    void awaitState(String job, String state) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!rest().jobState(job).equals(state) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(rest().jobState(job)).as("state of job %s", job).isEqualTo(state);
    }

    /** Cancels job {@code job} and waits until it is CANCELED. */
    void cancel(String job) throws Exception {
        rest().cancel(job);
        awaitState(job, "CANCELED");
    }

    static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
