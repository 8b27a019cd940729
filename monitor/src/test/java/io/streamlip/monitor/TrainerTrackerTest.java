package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.ModelUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTrackerTest {
    @TempDir Path dir;

    static byte[] update(long step, long seen, Instant at, Map<String, Double> eval) {
        return AvroSerde.of(ModelUpdate.class)
                .encode(
                        ModelUpdate.newBuilder()
                                .setModelVersion("run/step-" + step)
                                .setStep(step)
                                .setExamplesSeen(seen)
                                .setCheckpointPath("/ckpt")
                                .setLoss(1.0 / step)
                                .setEval(eval)
                                .setCreatedTime(at)
                                .build());
    }

    @Test
    void nothingPublishedIsNull() {
        assertThat(new TrainerTracker(10, null).stats(0)).isNull();
    }

    @Test
    void theNewestEvaluationSurvivesLaterUnevaluatedCheckpoints() {
        TrainerTracker t = new TrainerTracker(10, null);
        Instant t0 = Instant.ofEpochMilli(1_000_000);
        t.add(update(10, 100, t0, Map.of("i2t_r1", 0.5)));
        t.add(update(20, 300, t0.plusSeconds(4), Map.of()));
        t.add(new byte[] {1, 2, 3}); // not a ModelUpdate: skipped
        Snapshot.TrainerStats s = t.stats(t0.plusSeconds(10).toEpochMilli());
        assertThat(s.step()).isEqualTo(20);
        assertThat(s.examplesPerSecond()).isEqualTo(50.0);
        assertThat(s.freshnessSeconds()).isEqualTo(6.0);
        assertThat(s.eval()).containsEntry("i2t_r1", 0.5);
        assertThat(s.updates()).isEqualTo(2);
        assertThat(t.curve()).extracting(TrainerPoint::step).containsExactly(10L, 20L);
    }

    @Test
    void aNewerMetricsFileLineWins() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(
                file,
                "{\"step\": 5, \"loss\": 9.0}\n"
                        + "{\"step\": 25, \"loss\": 2.5, \"examples_per_second\": 123.0,"
                        + " \"examples_seen\": 400}\n"
                        + "{\"step\": 26, \"loss\"");
        TrainerTracker t = new TrainerTracker(10, file);
        t.add(update(20, 300, Instant.ofEpochMilli(0), Map.of()));
        Snapshot.TrainerStats s = t.stats(1_000);
        assertThat(s.source()).isEqualTo("metrics-file");
        assertThat(s.step()).isEqualTo(25);
        assertThat(s.loss()).isEqualTo(2.5);
        assertThat(s.examplesPerSecond()).isEqualTo(123.0);
        assertThat(s.examplesSeen()).isEqualTo(400);
        assertThat(s.modelVersion()).isEqualTo("run/step-20");
    }
}
