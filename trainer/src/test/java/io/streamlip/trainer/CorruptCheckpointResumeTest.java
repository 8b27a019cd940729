package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.KafkaBatchSource;
import io.streamlip.trainer.data.StreamExamples;
import io.streamlip.trainer.data.StreamRandom;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a power loss during a checkpoint can leave: the newest checkpoint's {@code state.json}
 * empty, or one of its parameter files cut short. The trainer skips it (and sets it aside) and
 * resumes from the checkpoint before, bit for bit: parameters, optimizer state, step, generator
 * state and the Kafka position that checkpoint held.
 */
@Tag("integration")
class CorruptCheckpointResumeTest {
    private static final Logger LOG = LoggerFactory.getLogger(CorruptCheckpointResumeTest.class);
    private static final int PARTITIONS = 2;

    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @TempDir Path temp;

    @Test
    void anEmptyStateFileMakesTheTrainerResumeFromTheCheckpointBefore() throws Exception {
        resumesFromThePredecessor(
                "empty-state", newest -> truncate(newest.resolve("state.json"), 0));
    }

    @Test
    void aTruncatedParameterFileMakesTheTrainerResumeFromTheCheckpointBefore() throws Exception {
        resumesFromThePredecessor(
                "short-params",
                newest -> {
                    Path params = newest.resolve(TrainingSession.PARAMETERS_FILE);
                    truncate(params, Files.size(params) / 2);
                });
    }

    /** Written before checkpoints had a manifest: the loader itself finds the damage. */
    @Test
    void aTruncatedOptimizerFileWithoutManifestMakesTheTrainerResumeFromTheCheckpointBefore()
            throws Exception {
        resumesFromThePredecessor(
                "short-optimizer",
                newest -> {
                    Files.deleteIfExists(newest.resolve("manifest.json"));
                    Path state = newest.resolve(TrainingSession.OPTIMIZER_FILE);
                    truncate(state, Files.size(state) - 7);
                });
    }

    private interface Damage {
        void apply(Path newest) throws IOException;
    }

    private void resumesFromThePredecessor(String name, Damage damage) throws Exception {
        KafkaClients kafka = KAFKA.clients();
        PipelineTopics topics =
                KAFKA.createTopics(
                        PipelineTopics.builder()
                                .partitions(PARTITIONS)
                                .build()
                                .prefixed(name + "-"));
        String topic = topics.examples();
        StreamExamples.produce(kafka, topic, PARTITIONS, 0, 96, List.of("en"));
        Path checkpoints = temp.resolve("checkpoints");
        TrainerConfig config =
                KillRestartMain.config(checkpoints).toBuilder()
                        .consumerGroup("corrupt-" + name)
                        .checkpointDir(checkpoints)
                        .checkpointEvery(2)
                        .keepCheckpoints(3)
                        .build();

        // 1. Six steps: checkpoints at steps 2, 4 and 6.
        StreamRandom random = new StreamRandom(config.seed());
        try (KafkaBatchSource source = Trainer.streamingSource(config, kafka, topic, random)) {
            Trainer.create(config, source, (path, state) -> {}, random)
                    .run(StopCondition.afterSteps(6));
        }
        List<Path> written = new CheckpointStore(checkpoints, 3).checkpoints();
        assertThat(written)
                .extracting(p -> p.getFileName().toString())
                .containsExactly("step-00000002", "step-00000004", "step-00000006");
        Path predecessor = written.get(1);
        Path newest = written.get(2);
        TrainingState expected = CheckpointStore.readState(predecessor);
        Path saved = temp.resolve("predecessor");
        FileUtils.copyDirectory(predecessor.toFile(), saved.toFile());

        // 2. What a power loss mid-write leaves in the newest.
        damage.apply(newest);

        // 3. A new trainer: it resumes from step 4, exactly as that checkpoint left things.
        Path restored = temp.resolve("restored");
        AtomicReference<Path> resumedFrom = new AtomicReference<>();
        AtomicLong resumedSteps = new AtomicLong(-1);
        AtomicLong resumedRng = new AtomicLong();
        StreamRandom random2 = new StreamRandom(config.seed());
        Map<TopicPartition, Long> firstRead;
        TrainingSummary summary;
        long start = System.nanoTime();
        AtomicLong resumedAt = new AtomicLong();
        try (KafkaBatchSource source = Trainer.streamingSource(config, kafka, topic, random2)) {
            Trainer trainer = Trainer.create(config, source, (path, state) -> {}, random2);
            trainer.onResume(
                    (path, session) -> {
                        resumedAt.set(System.nanoTime());
                        resumedFrom.set(path);
                        resumedSteps.set(session.steps());
                        resumedRng.set(random2.state());
                        try {
                            session.save(restored);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
            summary = trainer.run(StopCondition.afterSteps(1));
            firstRead = source.firstOffsetsRead();
        }
        LOG.info(
                "{}: resumed from {} in {} ms after the trainer started; run of 1 step took {} ms",
                name,
                resumedFrom.get(),
                (resumedAt.get() - start) / 1_000_000,
                (System.nanoTime() - start) / 1_000_000);

        assertThat(resumedFrom.get()).isEqualTo(predecessor);
        assertThat(resumedSteps.get()).isEqualTo(expected.step()).isEqualTo(4);
        assertThat(resumedRng.get()).isEqualTo(expected.rngState());
        for (String file :
                List.of(TrainingSession.PARAMETERS_FILE, TrainingSession.OPTIMIZER_FILE)) {
            assertThat(Files.readAllBytes(restored.resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllBytes(saved.resolve(file)));
        }
        assertThat(firstRead).isEqualTo(expected.offsetMap());
        assertThat(summary.globalStep()).isEqualTo(5);
        assertThat(summary.examplesSeen()).isEqualTo(expected.examplesSeen() + 4);

        // The damaged checkpoint was set aside for the operator, not deleted and not resumed.
        try (var children = Files.list(checkpoints)) {
            assertThat(children.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("step-00000006.corrupt"));
        }
        assertThat(new CheckpointStore(checkpoints, 3).checkpoints())
                .extracting(p -> p.getFileName().toString())
                .containsExactly("step-00000002", "step-00000004", "step-00000005");
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }
}
