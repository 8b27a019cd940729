package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.StreamExamples;
import io.streamlip.trainer.data.StreamPosition;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once across a crash: a trainer in its own JVM is killed with SIGKILL after it wrote a
 * checkpoint, and a new one resumes from the newest checkpoint with the same model, optimizer and
 * generator state, consuming from exactly the checkpoint's offsets.
 */
@Tag("integration")
class KillRestartTest {
    private static final Logger LOG = LoggerFactory.getLogger(KillRestartTest.class);
    private static final int EXAMPLES = 160;

    @TempDir Path temp;

    @Test
    void aKilledTrainerResumesBitForBitAtTheCheckpointsOffsets() throws Exception {
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
            PipelineTopics topics =
                    PipelineTopics.builder().partitions(2).build().prefixed("kill-");
            try (Admin admin = broker.admin()) {
                topics.create(admin);
            }
            String topic = topics.examples();
            StreamExamples.produce(kafka, topic, 2, 0, EXAMPLES, List.of("en"));
            Path checkpoints = temp.resolve("checkpoints");

            // 1. Train slowly; kill it with SIGKILL once it has written its twelfth checkpoint (96
            // examples trained: both partitions read).
            Process first = start("first", broker, topic, checkpoints, temp.resolve("r1"), 10_000);
            List<String> lines = new ArrayList<>();
            CompletableFuture<Void> killed =
                    CompletableFuture.runAsync(
                            () -> readUntil(first, lines, line -> line.equals("CHECKPOINT 24")));
            killed.get(180, TimeUnit.SECONDS);
            first.destroyForcibly(); // SIGKILL on Linux
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).isEqualTo(137);

            Path newest = new CheckpointStore(checkpoints, 3).latest().orElseThrow();
            TrainingState state = CheckpointStore.readState(newest);
            assertThat(state.step()).isGreaterThanOrEqualTo(24);
            // The shuffle buffer held records read but not trained when the checkpoint was taken.
            StreamPosition position = state.position();
            assertThat(position.partitions()).hasSize(2);
            assertThat(position.pendingCount()).isPositive();
            assertThat(trained(position)).isEqualTo(state.examplesSeen());
            Path saved = temp.resolve("resumed-from");
            FileUtils.copyDirectory(newest.toFile(), saved.toFile());

            // 2. Restart: it restores that checkpoint and trains 6 more steps.
            Path report = temp.resolve("r2");
            Process second = start("resume", broker, topic, checkpoints, report, 6);
            List<String> secondLines = new ArrayList<>();
            readUntil(second, secondLines, line -> false);
            assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(String.join("\n", secondLines)).isZero();
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
                                    tp.substring(0, dash),
                                    Integer.parseInt(tp.substring(dash + 1))),
                            Long.parseLong(props.getProperty(key)));
                }
            }
            LOG.info("checkpoint offsets {}, consumed first {}", state.offsetMap(), firstRead);
            assertThat(firstRead).isEqualTo(state.offsetMap());
            assertThat(props.getProperty("steps")).isEqualTo("6");
            LOG.info(
                    "restart after SIGKILL: JVM start to trainer run {} ms, run to checkpoint"
                            + " restored {} ms, run to first step done {} ms",
                    props.getProperty("runStartAfterJvmStartMs"),
                    props.getProperty("resumedAfterRunStartMs"),
                    props.getProperty("firstStepAfterRunStartMs"));

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
            String mode, KafkaBroker broker, String topic, Path checkpoints, Path report, int steps)
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
                        Integer.toString(steps)));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Reads the process's output (logging it) until {@code stop} matches a line or it ends. */
    private static void readUntil(
            Process process, List<String> lines, java.util.function.Predicate<String> stop) {
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                LOG.info("[trainer {}] {}", process.pid(), line);
                lines.add(line);
                if (stop.test(line)) {
                    return;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
