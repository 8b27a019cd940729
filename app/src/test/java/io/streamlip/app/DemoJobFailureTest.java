package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo watches its Flink jobs: when the job's checkpoint storage breaks under it (the shared
 * folder of its incremental RocksDB checkpoints replaced by a file, as a full or failing disk
 * would), the job fails over; the demo notices, stops, exits non-zero with a one-line reason and
 * still writes its summary.
 */
@Tag("integration")
class DemoJobFailureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aJobThatRestartsStopsTheDemoWithAReasonAndASummary(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo");
        CompletableFuture<DemoCommandTest.Run> demo =
                CompletableFuture.supplyAsync(
                        () ->
                                DemoCommandTest.run(
                                        "demo",
                                        "--source=synthetic",
                                        "--minutes=2",
                                        "--max-pairs=3000",
                                        // Slow enough that the dedup state keeps changing, so
                                        // every checkpoint uploads new RocksDB files.
                                        "--import-rate=60",
                                        "--batch-size=16",
                                        "--shuffle-buffer=32",
                                        "--threads=1",
                                        "--out=" + out,
                                        "--json"));
        Path shared = awaitFirstCheckpoint(out.resolve("flink-checkpoints"), demo);
        long brokenAt = System.nanoTime();
        Files.move(shared, shared.resolveSibling("shared.moved"));
        Files.writeString(shared, "not a folder");

        DemoCommandTest.Run run = demo.get(4, TimeUnit.MINUTES);
        double secondsToStop = (System.nanoTime() - brokenAt) / 1e9;

        assertThat(run.code()).as(run.err()).isEqualTo(1);
        String reason =
                run.err()
                        .lines()
                        .filter(l -> l.startsWith("streamlip: "))
                        .findFirst()
                        .orElseThrow();
        assertThat(reason)
                .startsWith("streamlip: demo failed: Flink job 'streamlip-demo: filter + tokenize'")
                .containsAnyOf("restarted", "failed")
                .hasSizeLessThan(500);
        JsonNode summary = JSON.readTree(Files.readString(out.resolve("summary.json")));
        assertThat(JSON.readTree(run.out())).isEqualTo(summary);
        assertThat(summary.path("status").asText()).isEqualTo("failed");
        assertThat(reason).endsWith(summary.path("failure").asText());
        assertThat(summary.path("failure").asText().length()).isLessThanOrEqualTo(400);
        JsonNode job = summary.path("jobs").get(0);
        assertThat(job.path("name").asText()).isEqualTo("streamlip-demo: filter + tokenize");
        assertThat(job.path("restarts").asLong()).isPositive();
        assertThat(job.path("state").asText())
                .isIn(JobStatus.CANCELED.name(), JobStatus.FAILED.name());
        assertThat(job.path("failure").asText()).isNotBlank();
        assertThat(summary.path("stop_reason").asText()).isEqualTo("stopped");
        // Stopped well before the 2 minutes of training were up.
        assertThat(secondsToStop).isLessThan(100);
        System.out.printf(
                "demo stopped %.1f s after its checkpoint storage broke: %s%n",
                secondsToStop, reason);
        System.out.println(
                "summary jobs: "
                        + summary.path("jobs")
                        + ", trainer steps: "
                        + summary.path("steps")
                        + ", checkpoint: "
                        + summary.path("checkpoint"));
    }

    /** The job's shared-state folder, once its first checkpoint is complete. */
    private static Path awaitFirstCheckpoint(
            Path checkpoints, CompletableFuture<DemoCommandTest.Run> demo)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (demo.isDone()) {
                throw new AssertionError(
                        "the demo ended before its first checkpoint: " + demo.join());
            }
            Optional<Path> done = completedCheckpoint(checkpoints);
            if (done.isPresent()) {
                return done.get().getParent().resolve("shared");
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no checkpoint in " + checkpoints + " within 3 minutes");
    }

    private static Optional<Path> completedCheckpoint(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(checkpoints, 3)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .findFirst();
        }
    }
}
