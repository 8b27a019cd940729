package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.broker.KafkaBroker;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.StreamExamples;
import io.streamlip.trainer.data.StreamPosition;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.device.Devices;
import io.streamlip.trainer.model.ModelFamily;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once across a crash, for every model family: a trainer in its own JVM is killed with
 * SIGKILL after it wrote a checkpoint, and a new one resumes from the newest checkpoint with the
 * same model, optimizer and generator state, consuming from exactly the checkpoint's offsets. A run
 * resumed from a checkpoint continues as the run that wrote it did: given the same batches, the
 * same losses, parameters and optimizer state, bit for bit (checked for the killed run's last two
 * steps and the resumed run's first two).
 */
@Tag("integration")
class KillRestartTest {
    private static final Logger LOG = LoggerFactory.getLogger(KillRestartTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXAMPLES = 160;
    private static final List<String> LANGS = List.of("en");
    // The first run is killed once it has written checkpoint KILLED_AT (every 2 steps).
    private static final int KILLED_AT = 26;

    private static KafkaBroker broker;

    @TempDir Path temp;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.startTemporary();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "captioner-tiny", "clippo-tiny", "limoe-tiny"})
    void aKilledTrainerResumesBitForBitAtTheCheckpointsOffsets(String preset) throws Exception {
        TrainerConfig config = KillRestartMain.config(temp.resolve("checkpoints"), preset);
        boolean rendered = config.model().family() == ModelFamily.CLIPPO;
        KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
        PipelineTopics topics =
                PipelineTopics.builder().partitions(2).build().prefixed("kill-" + preset + "-");
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        }
        String topic = topics.examples();
        StreamExamples.produce(kafka, topic, 2, 0, EXAMPLES, LANGS, rendered);
        Path checkpoints = config.checkpointDir();

        // 1. Train; kill it with SIGKILL once it has written checkpoint 26 (104 examples trained:
        // both partitions read) and its metrics line, while it waits for its next batch.
        Process first = start("first", topic, checkpoints, temp.resolve("r1"), KILLED_AT, preset);
        Output firstOut = new Output(first);
        firstOut.await(line -> line.equals("CHECKPOINT " + KILLED_AT), 600);
        Map<Long, Double> firstLosses = awaitLosses(config, KILLED_AT);
        first.destroyForcibly(); // SIGKILL on Linux
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isEqualTo(137);

        Path newest = new CheckpointStore(checkpoints, 3).latest().orElseThrow();
        TrainingState state = CheckpointStore.readState(newest);
        assertThat(state.step()).isEqualTo(KILLED_AT);
        assertThat(state.model()).isEqualTo(config.model());
        // The shuffle buffer held records read but not trained when the checkpoint was taken.
        StreamPosition position = state.position();
        assertThat(position.partitions()).hasSize(2);
        assertThat(position.pendingCount()).isPositive();
        assertThat(trained(position)).isEqualTo(state.examplesSeen());
        Path saved = temp.resolve("resumed-from");
        FileUtils.copyDirectory(newest.toFile(), saved.toFile());
        Path before = temp.resolve("before");
        FileUtils.copyDirectory(
                checkpoints.resolve(CheckpointStore.folderName(KILLED_AT - 2)).toFile(),
                before.toFile());

        // The checkpoint before the kill continues as the killed run did on the same batches.
        Map<Integer, int[]> firstBatches = firstOut.batches();
        assertContinues(
                config,
                before,
                List.of(firstBatches.get(KILLED_AT - 1), firstBatches.get(KILLED_AT)),
                List.of(firstLosses.get((long) KILLED_AT - 1), firstLosses.get((long) KILLED_AT)),
                saved);

        // 2. Restart: it restores that checkpoint and trains 6 more steps.
        Path report = temp.resolve("r2");
        Process second = start("resume", topic, checkpoints, report, 6, preset);
        Output secondOut = new Output(second);
        assertThat(second.waitFor(600, TimeUnit.SECONDS)).isTrue();
        secondOut.join();
        assertThat(second.exitValue()).as(secondOut.text()).isZero();
        Properties props = new Properties();
        try (var r = Files.newBufferedReader(report.resolve("report.properties"))) {
            props.load(r);
        }
        assertThat(Path.of(props.getProperty("checkpoint")).getFileName())
                .isEqualTo(newest.getFileName());
        // Model and optimizer as restored, saved again: the checkpoint's bytes exactly.
        for (String file :
                List.of(TrainingSession.PARAMETERS_FILE, TrainingSession.OPTIMIZER_FILE)) {
            assertThat(Files.readAllBytes(report.resolve("restored").resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllBytes(saved.resolve(file)));
        }
        assertThat(Long.parseLong(props.getProperty("rng"))).isEqualTo(state.rngState());
        // Consumption resumed exactly at the checkpoint's offsets, partition by partition.
        Map<TopicPartition, Long> firstRead = new HashMap<>();
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith("first.")) {
                String tp = key.substring("first.".length());
                int dash = tp.lastIndexOf('-');
                firstRead.put(
                        new TopicPartition(
                                tp.substring(0, dash), Integer.parseInt(tp.substring(dash + 1))),
                        Long.parseLong(props.getProperty(key)));
            }
        }
        LOG.info("checkpoint offsets {}, consumed first {}", state.offsetMap(), firstRead);
        assertThat(firstRead).isEqualTo(state.offsetMap());
        assertThat(props.getProperty("steps")).isEqualTo("6");
        LOG.info(
                "{}: restart after SIGKILL: JVM start to trainer run {} ms, run to checkpoint"
                        + " restored {} ms, run to first step done {} ms",
                preset,
                props.getProperty("runStartAfterJvmStartMs"),
                props.getProperty("resumedAfterRunStartMs"),
                props.getProperty("firstStepAfterRunStartMs"));

        // The resumed run's first two steps are the restored checkpoint's continuation.
        Map<Long, Double> losses = losses(config);
        Map<Integer, int[]> resumedBatches = secondOut.batches();
        assertContinues(
                config,
                saved,
                List.of(resumedBatches.get(1), resumedBatches.get(2)),
                List.of(losses.get((long) KILLED_AT + 1), losses.get((long) KILLED_AT + 2)),
                checkpoints.resolve(CheckpointStore.folderName(KILLED_AT + 2)));

        // Nothing trained twice, nothing skipped: the records the new position counts as
        // trained are the old ones plus exactly the 24 the new run trained.
        TrainingState after =
                CheckpointStore.readState(
                        new CheckpointStore(checkpoints, 3).latest().orElseThrow());
        assertThat(after.step()).isEqualTo(state.step() + 6);
        assertThat(after.examplesSeen()).isEqualTo(state.examplesSeen() + 24);
        assertThat(trained(after.position())).isEqualTo(after.examplesSeen());
        assertThat(contains(after.position(), position)).isTrue();
    }

    /**
     * Restores {@code from} in this JVM, trains it on {@code batches} (example numbers) and checks
     * each step's loss against {@code losses} and the parameters and optimizer state afterwards
     * against the checkpoint {@code to}, byte for byte.
     */
    private void assertContinues(
            TrainerConfig config, Path from, List<int[]> batches, List<Double> losses, Path to)
            throws Exception {
        assertThat(batches).doesNotContainNull();
        assertThat(losses).doesNotContainNull();
        TrainingSession.setThreads(config.threads()); // as the trainer: the same sums
        boolean rendered = config.model().family() == ModelFamily.CLIPPO;
        Path continued = temp.resolve("continued-" + from.getFileName());
        try (TrainingSession session =
                TrainingSession.restore(
                        config.model(),
                        config.optimizer(),
                        config.loss(),
                        null,
                        from,
                        Devices.select(config.device()))) {
            for (int i = 0; i < batches.size(); i++) {
                TrainingBatch batch =
                        StreamExamples.batch(
                                batches.get(i), LANGS, config.model(), config.eosId(), rendered);
                TrainingSession.StepResult result = session.step(batch);
                assertThat((double) result.loss())
                        .as("loss of step %d after %s", result.step(), from)
                        .isEqualTo(losses.get(i));
            }
            session.save(continued);
        }
        for (String file :
                List.of(TrainingSession.PARAMETERS_FILE, TrainingSession.OPTIMIZER_FILE)) {
            assertThat(Files.readAllBytes(continued.resolve(file)))
                    .as("%s continued from %s", file, from)
                    .isEqualTo(Files.readAllBytes(to.resolve(file)));
        }
    }

    /** The loss of each step in the run's metrics file (one line a step: logEvery 1). */
    private static Map<Long, Double> losses(TrainerConfig config) throws IOException {
        Map<Long, Double> out = new HashMap<>();
        Path file = config.resolvedMetricsFile();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                continue; // a line being written
            }
            if (node.path("loss").isNumber()) {
                out.put(node.path("step").asLong(), node.path("loss").asDouble());
            }
        }
        return out;
    }

    private static Map<Long, Double> awaitLosses(TrainerConfig config, long step) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Map<Long, Double> losses = losses(config);
        while (!losses.containsKey(step)) {
            assertThat(System.nanoTime()).as("metrics line of step " + step).isLessThan(deadline);
            Thread.sleep(100);
            losses = losses(config);
        }
        return losses;
    }

    /** Records a position counts as trained (the topic starts at offset 0). */
    private static long trained(StreamPosition position) {
        return position.partitions().stream()
                .mapToLong(p -> p.readUpTo() - p.pending().size())
                .sum();
    }

    /** Whether everything {@code earlier} counts as trained, {@code later} does too. */
    private static boolean contains(StreamPosition later, StreamPosition earlier) {
        for (StreamPosition.Partition e : earlier.partitions()) {
            StreamPosition.Partition l =
                    later.partitions().stream()
                            .filter(p -> p.topicPartition().equals(e.topicPartition()))
                            .findFirst()
                            .orElseThrow();
            for (long o = 0; o < e.readUpTo(); o++) {
                boolean trainedBefore = !e.pending().contains(o);
                boolean trainedAfter = o < l.readUpTo() && !l.pending().contains(o);
                if (trainedBefore && !trainedAfter) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Process start(
            String mode, String topic, Path checkpoints, Path report, int steps, String preset)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-D") || arg.startsWith("--add-")) {
                command.add(arg);
            }
        }
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(KillRestartMain.class.getName());
        command.addAll(
                List.of(
                        mode,
                        broker.bootstrapServers(),
                        topic,
                        checkpoints.toString(),
                        report.toString(),
                        Integer.toString(steps),
                        preset));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** A process's output, read (and logged) on a thread of its own until it ends. */
    private static final class Output {
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        Output(Process process) {
            reader =
                    new Thread(
                            () -> {
                                try (BufferedReader r =
                                        new BufferedReader(
                                                new InputStreamReader(
                                                        process.getInputStream(),
                                                        StandardCharsets.UTF_8))) {
                                    String line;
                                    while ((line = r.readLine()) != null) {
                                        LOG.info("[trainer {}] {}", process.pid(), line);
                                        lines.add(line);
                                    }
                                } catch (IOException e) {
                                    LOG.info("output of {} ended: {}", process.pid(), e.toString());
                                }
                            },
                            "output-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits until a line matches {@code until}, or fails after {@code seconds}. */
        void await(Predicate<String> until, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (lines.stream().noneMatch(until)) {
                assertThat(System.nanoTime() < deadline && reader.isAlive())
                        .as("a matching line; got:\n%s", text())
                        .isTrue();
                Thread.sleep(50);
            }
        }

        void join() throws InterruptedException {
            reader.join(TimeUnit.SECONDS.toMillis(30));
        }

        String text() {
            return String.join("\n", lines);
        }

        /** The example numbers of each {@code BATCH k ...} line, by k. */
        Map<Integer, int[]> batches() {
            Map<Integer, int[]> out = new HashMap<>();
            for (String line : lines) {
                if (line.startsWith("BATCH ")) {
                    String[] parts = line.split(" ");
                    out.put(
                            Integer.parseInt(parts[1]),
                            Arrays.stream(parts[2].split(","))
                                    .mapToInt(Integer::parseInt)
                                    .toArray());
                }
            }
            return out;
        }
    }
}
