package io.streamlip.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.StopCondition;
import io.streamlip.trainer.Trainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.checkpoint.ModelUpdatePublisher;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The held-out set is evaluated every {@code evalEvery} steps and at the end, not per checkpoint.
 */
class EvalIntervalTest {
    @TempDir Path temp;

    private final ByteTokenizer tokenizer = new ByteTokenizer(32);
    private final ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
    private Path evalSet;

    @BeforeEach
    void writeEvalSet() {
        evalSet = temp.resolve("eval");
        new SyntheticPairs().writeEvalSet(evalSet, 1, 5);
    }

    @Test
    @Tag("integration")
    void evaluatesOnItsOwnIntervalAndAtTheEnd() {
        List<TrainingState> announced = run(2, 3, 7, "a");

        assertThat(announced).extracting(TrainingState::step).containsExactly(2L, 3L, 4L, 6L, 7L);
        assertThat(evaluatedSteps(announced)).containsExactly(3L, 6L, 7L);
    }

    @Test
    @Tag("integration")
    void evaluatesTheLastCheckpointWhenTheRunStopsRightAfterIt() {
        List<TrainingState> announced = run(2, 100, 4, "b");

        // Step 4 was checkpointed without an evaluation, then written again with one.
        assertThat(announced).extracting(TrainingState::step).containsExactly(2L, 4L, 4L);
        assertThat(evaluatedSteps(announced)).containsExactly(4L);
    }

    @Test
    @Tag("integration")
    void appendsMetricsLinesWithFreshnessAndAnnouncesEvaluationsWithIt() throws Exception {
        long producedAt = System.currentTimeMillis() - 60_000; // a minute before training
        List<TrainingState> announced = run(2, 3, 7, "m", producedAt);

        Path file = temp.resolve("ckpt-m").resolve("metrics.jsonl");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(new ObjectMapper().readTree(line));
        }
        // A line every 2 steps (logEvery) and one per evaluation (steps 3, 6 and 7).
        assertThat(lines)
                .extracting(n -> n.get("step").asLong())
                .containsExactly(2L, 3L, 4L, 6L, 6L, 7L);
        assertThat(lines)
                .allSatisfy(
                        n ->
                                assertThat(n.get("freshness_p50_ms").asDouble())
                                        .isGreaterThanOrEqualTo(60_000));
        assertThat(lines)
                .allSatisfy(
                        n ->
                                assertThat(n.get("examples").asLong())
                                        .isEqualTo(8 * n.get("step").asLong()));
        assertThat(lines.stream().filter(n -> n.has("eval")))
                .hasSize(3)
                .allSatisfy(n -> assertThat(n.get("eval").has("i2t_r1")).isTrue());

        TrainingState evaluated =
                announced.stream().filter(st -> !st.eval().isEmpty()).findFirst().orElseThrow();
        assertThat(evaluated.freshness().p95Millis()).isGreaterThanOrEqualTo(60_000);
        ModelUpdate update = ModelUpdatePublisher.toRecord(temp, evaluated);
        assertThat(update.getEval()).containsKeys("i2t_r1", "freshness_p50_ms", "freshness_p95_ms");
    }

    @Test
    void defaultsEvaluateFarLessOftenThanTheyCheckpoint() {
        TrainerConfig defaults = TrainerConfig.defaults();
        assertThat(defaults.evalEvery()).isGreaterThan(defaults.checkpointEvery());
    }

    private List<TrainingState> run(int checkpointEvery, int evalEvery, int steps, String name) {
        return run(checkpointEvery, evalEvery, steps, name, -1);
    }

    private List<TrainingState> run(
            int checkpointEvery, int evalEvery, int steps, String name, long producedAt) {
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .batchSize(8)
                        .threads(1)
                        .checkpointDir(temp.resolve("ckpt-" + name))
                        .checkpointEvery(checkpointEvery)
                        .keepCheckpoints(10)
                        .evalEvery(evalEvery)
                        .evalSet(evalSet)
                        .logEvery(2)
                        .build();
        List<TrainingBatch> batches =
                SyntheticExamples.batches(
                                SyntheticExamples.generate(16, 1, 32, tokenizer), 8, model, 1)
                        .stream()
                        .map(b -> producedAt < 0 ? b : withProduceTime(b, producedAt))
                        .toList();
        Iterator<TrainingBatch> endless =
                new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return true;
                    }

                    @Override
                    public TrainingBatch next() {
                        return batches.get(next++ % batches.size());
                    }
                };
        List<TrainingState> announced = new ArrayList<>();
        try (Trainer trainer =
                Trainer.create(config, BatchSource.of(endless), (path, s) -> announced.add(s))) {
            trainer.run(StopCondition.afterSteps(steps));
        }
        return announced;
    }

    private static TrainingBatch withProduceTime(TrainingBatch b, long producedAt) {
        long[] times = new long[b.size()];
        java.util.Arrays.fill(times, producedAt);
        return new TrainingBatch(
                b.size(),
                b.imageSize(),
                b.contextLength(),
                b.images(),
                b.tokenIds(),
                b.mask(),
                b.langs(),
                b.nextOffsets(),
                times);
    }

    private static List<Long> evaluatedSteps(List<TrainingState> announced) {
        return announced.stream()
                .filter(s -> s.eval() != null && !s.eval().isEmpty())
                .map(TrainingState::step)
                .toList();
    }
}
