package io.streamlip.trainer.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.pytorch.jni.JniUtils;
import io.streamlip.filter.FilterJob;
import io.streamlip.filter.score.CrossModalConfig;
import io.streamlip.filter.score.CrossModalScoreOperator;
import io.streamlip.ingest.synthetic.SyntheticCuratedPairs;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.score.PairScorer;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.Reject;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.StopCondition;
import io.streamlip.trainer.Trainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.checkpoint.ModelUpdatePublisher;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.PreprocessedExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cross-modal score with a real tiny SigLIP checkpoint trained for a few seconds on the
 * synthetic shapes-and-colours task: directly, and inside the filter's score operator.
 */
@Tag("integration")
class CheckpointPairScorerTest {
    private static final int STEPS = 120;
    private static final int BATCH = 32;

    @TempDir static Path temp;
    static ModelUpdate update;

    @BeforeAll
    static void train() {
        trustSchemaClasses();
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .optimizer(
                                OptimizerConfig.builder()
                                        .warmupSteps(15)
                                        .scheduleSteps(STEPS)
                                        .build())
                        .batchSize(BATCH)
                        .threads(1)
                        .checkpointDir(temp.resolve("ckpt"))
                        .checkpointEvery(1000)
                        .keepCheckpoints(1)
                        .build();
        List<TrainingBatch> batches =
                PreprocessedExamples.batches(
                        PreprocessedExamples.of(
                                new SyntheticPairs().pairs(BATCH * STEPS / 2, 11), 32, tokenizer),
                        BATCH,
                        model,
                        tokenizer.eosId());
        List<TrainingBatch> twice = new ArrayList<>(batches); // two passes cover every step
        twice.addAll(batches);
        List<ModelUpdate> announced = new ArrayList<>();
        try (Trainer trainer =
                Trainer.create(
                        config,
                        BatchSource.of(twice.iterator()),
                        (path, state) ->
                                announced.add(ModelUpdatePublisher.toRecord(path, state)))) {
            trainer.run(StopCondition.afterSteps(STEPS));
        }
        assertThat(announced).isNotEmpty();
        update = announced.get(announced.size() - 1);
    }

    @Test
    void matchedPairsScoreAboveMismatchedOnes() throws Exception {
        List<CuratedPair> matched = SyntheticCuratedPairs.generate(60, 7);
        List<CuratedPair> mismatched = new ArrayList<>();
        for (int i = 0; i < matched.size(); i++) {
            CuratedPair other = matched.get((i + 17) % matched.size());
            mismatched.add(
                    CuratedPair.newBuilder(matched.get(i)).setCaption(other.getCaption()).build());
        }
        try (PairScorer scorer = new CheckpointScorerFactory(null).load(update)) {
            assertThat(scorer.modelVersion()).isEqualTo(update.getModelVersion());
            float[] good = scorer.score(matched);
            float[] bad = scorer.score(mismatched);
            for (float s : good) {
                assertThat(s).isBetween(-1.0001f, 1.0001f);
            }
            // One pair alone scores as in a batch (no batch statistics in the model).
            assertThat(scorer.score(matched.get(3)))
                    .isCloseTo(good[3], org.assertj.core.data.Offset.offset(1e-4f));
            assertThat(mean(good)).isGreaterThan(mean(bad) + 0.05);
        }
    }

    @Test
    void theScoreOperatorPassesEverythingUntilTheModelArrivesThenScoresAndFilters()
            throws Exception {
        List<CuratedPair> pairs = SyntheticCuratedPairs.generate(40, 23);
        CrossModalConfig config =
                CrossModalConfig.builder()
                        .thresholds(Map.of())
                        .defaultThreshold(Double.NaN)
                        .topFraction(0.5)
                        .window(20)
                        .warmup(10)
                        .build();
        try (TwoInputStreamOperatorTestHarness<CuratedPair, ModelUpdate, CuratedPair> harness =
                harness(
                        new CrossModalScoreOperator(
                                new CheckpointScorerFactory(null), config, FilterJob.STAGE))) {
            for (CuratedPair p : pairs.subList(0, 5)) {
                harness.processElement1(p, 0);
            }
            harness.processElement2(update, 0);
            for (CuratedPair p : pairs.subList(5, 40)) {
                harness.processElement1(p, 0);
            }
            // The last partial batch is scored at the end of the input.
            harness.endInput1();
            List<CuratedPair> out = harness.extractOutputValues();
            List<Reject> rejects =
                    harness.getSideOutput(EnvelopeStage.rejects(FilterJob.STAGE)).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(out.size() + rejects.size()).isEqualTo(40);
            assertThat(out.subList(0, 5))
                    .allSatisfy(p -> assertThat(p.getCrossmodalScore()).isNull());
            assertThat(out.subList(5, out.size()))
                    .allSatisfy(
                            p -> {
                                assertThat(p.getCrossmodalScore()).isNotNull();
                                assertThat(p.getModelVersion()).isEqualTo(update.getModelVersion());
                            });
            // Past the warm-up about half of each language is refused.
            assertThat(rejects)
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.getReason()).isEqualTo("low_crossmodal_score"));
        }
    }

    @Test
    void scoresOnItsOwnThreadAloneWhateverTheProcessCountAndLeavesTheTrainersCount()
            throws Exception {
        // As in the demo: the trainer's thread has gone to 2 intra-op threads (the process's
        // default too) before the filter's task thread loads its first model.
        ExecutorService trainerThread = Executors.newSingleThreadExecutor();
        ExecutorService taskThread = Executors.newSingleThreadExecutor();
        try {
            trainerThread.submit(() -> TrainingSession.setThreads(2)).get();
            int scoring =
                    taskThread
                            .submit(
                                    () -> {
                                        try (PairScorer scorer =
                                                new CheckpointScorerFactory(null).load(update)) {
                                            scorer.score(SyntheticCuratedPairs.generate(4, 3));
                                        }
                                        return JniUtils.getNumThreads();
                                    })
                            .get();
            assertThat(scoring).isEqualTo(1);
            assertThat(trainerThread.submit(JniUtils::getNumThreads).get()).isEqualTo(2);
            assertThatThrownBy(() -> new CheckpointScorerFactory(null, 0))
                    .hasMessageContaining("threads must be positive");
        } finally {
            trainerThread.shutdownNow();
            taskThread.shutdownNow();
        }
    }

    @Test
    void aMissingCheckpointFailsToLoadWithItsPath() {
        ModelUpdate gone =
                ModelUpdate.newBuilder(update)
                        .setCheckpointPath(temp.resolve("gone").toString())
                        .build();
        assertThatThrownBy(() -> new CheckpointScorerFactory(null).load(gone))
                .hasMessageContaining("gone");
    }

    static TwoInputStreamOperatorTestHarness<CuratedPair, ModelUpdate, CuratedPair> harness(
            CrossModalScoreOperator operator) throws Exception {
        var harness = new TwoInputStreamOperatorTestHarness<>(operator, 1, 1, 0);
        harness.setup(
                EnvelopeStage.avroType(CuratedPair.class)
                        .createSerializer(new SerializerConfigImpl()));
        harness.open();
        return harness;
    }

    static void trustSchemaClasses() {
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (!current.isTrusted(CuratedPair.class)) {
            ClassSecurityValidator.setGlobal(
                    ClassSecurityValidator.composite(
                            current, c -> c.getPackageName().equals("io.streamlip.schemas")));
        }
    }

    static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
