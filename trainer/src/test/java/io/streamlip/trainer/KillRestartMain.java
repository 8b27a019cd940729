package io.streamlip.trainer;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.KafkaBatchSource;
import io.streamlip.trainer.data.ShuffleConfig;
import io.streamlip.trainer.data.StreamExamples;
import io.streamlip.trainer.data.StreamPosition;
import io.streamlip.trainer.data.StreamRandom;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The trainer of {@link KillRestartTest}, run in its own JVM, training the model preset it is
 * given. Both modes print {@code BATCH <k> <n1,n2,..>} for the k-th batch they read (the numbers of
 * its examples, {@link StreamExamples#numbers}) and {@code CHECKPOINT <step>} after each
 * checkpoint. {@code first}: trains {@code steps} steps, then waits for its next batch for ever
 * (until the test kills it). {@code resume}: resumes, saves what it restored into {@code
 * <report>/restored/} and the generator state, trains {@code steps} steps and writes the offsets it
 * consumed first to {@code <report>/report.properties}.
 *
 * <p>Arguments: {@code first|resume bootstrap topic checkpointDir report steps preset}.
 */
public final class KillRestartMain {
    private KillRestartMain() {}

    static TrainerConfig config(Path checkpoints) {
        return config(checkpoints, "tiny");
    }

    static TrainerConfig config(Path checkpoints, String preset) {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        return TrainerConfig.builder()
                .model(ModelConfig.preset(preset, tokenizer.vocabSize()))
                .batchSize(4)
                .threads(1)
                .logEvery(1)
                .checkpointDir(checkpoints)
                .checkpointEvery(2)
                .keepCheckpoints(3)
                .consumerGroup("kill-restart")
                .runName("kill")
                .pollTimeout(Duration.ofMillis(500))
                .shuffle(
                        ShuffleConfig.of(16, 8).toBuilder()
                                .spillDir(checkpoints.resolveSibling("spill"))
                                .build())
                .build();
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        KafkaClients kafka = KafkaClients.of(args[1]);
        String topic = args[2];
        Path checkpoints = Path.of(args[3]);
        Path report = Path.of(args[4]);
        int steps = Integer.parseInt(args[5]);
        TrainerConfig config = config(checkpoints, args[6]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        StreamRandom random = new StreamRandom(config.seed());
        int[] read = {0};
        Consumer<Optional<TrainingBatch>> printBatch =
                batch ->
                        batch.ifPresent(
                                b ->
                                        out.println(
                                                "BATCH "
                                                        + ++read[0]
                                                        + " "
                                                        + Arrays.stream(StreamExamples.numbers(b))
                                                                .mapToObj(Integer::toString)
                                                                .collect(Collectors.joining(","))));
        try (KafkaBatchSource source = Trainer.streamingSource(config, kafka, topic, random)) {
            if (mode.equals("first")) {
                // The batch after the last step never comes: the test kills the process then.
                BatchSource stalling =
                        delegating(
                                source,
                                () -> {
                                    while (read[0] >= steps) {
                                        pause(Duration.ofSeconds(1));
                                    }
                                },
                                printBatch);
                Trainer trainer =
                        Trainer.create(
                                config,
                                stalling,
                                (path, state) -> out.println("CHECKPOINT " + state.step()),
                                random);
                trainer.run(StopCondition.afterSteps(steps + 1));
            } else {
                Properties props = new Properties();
                long runStart = System.currentTimeMillis();
                // The trainer asks for its next batch once its first step is done.
                long[] firstStepDone = {0};
                boolean[] delivered = {false};
                BatchSource timed =
                        delegating(
                                source,
                                () -> {
                                    if (delivered[0] && firstStepDone[0] == 0) {
                                        firstStepDone[0] = System.currentTimeMillis();
                                    }
                                },
                                batch -> {
                                    delivered[0] |= batch.isPresent();
                                    printBatch.accept(batch);
                                });
                Trainer trainer =
                        Trainer.create(
                                config,
                                timed,
                                (path, state) -> out.println("CHECKPOINT " + state.step()),
                                random);
                trainer.onResume(
                        (path, session) -> {
                            props.setProperty(
                                    "resumedAfterRunStartMs",
                                    Long.toString(System.currentTimeMillis() - runStart));
                            try {
                                session.save(report.resolve("restored"));
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                            props.setProperty("checkpoint", path.toString());
                            props.setProperty("rng", Long.toString(random.state()));
                        });
                TrainingSummary summary = trainer.run(StopCondition.afterSteps(steps));
                source.firstOffsetsRead()
                        .forEach(
                                (tp, offset) ->
                                        props.setProperty("first." + tp, Long.toString(offset)));
                props.setProperty("steps", Long.toString(summary.steps()));
                long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
                props.setProperty("runStartAfterJvmStartMs", Long.toString(runStart - jvmStart));
                props.setProperty(
                        "firstStepAfterRunStartMs", Long.toString(firstStepDone[0] - runStart));
                Files.createDirectories(report);
                try (var w = Files.newBufferedWriter(report.resolve("report.properties"))) {
                    props.store(w, null);
                }
                out.println("DONE " + summary.steps());
            }
        }
        System.exit(0);
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code source}, with {@code before} and {@code after} around each ask for a batch. */
    private static BatchSource delegating(
            KafkaBatchSource source,
            Runnable before,
            java.util.function.Consumer<Optional<TrainingBatch>> after) {
        return new BatchSource() {
            @Override
            public Optional<TrainingBatch> next(Duration wait) {
                before.run();
                Optional<TrainingBatch> batch = source.next(wait);
                after.accept(batch);
                return batch;
            }

            @Override
            public void seek(StreamPosition position) {
                source.seek(position);
            }

            @Override
            public StreamPosition position() {
                return source.position();
            }

            @Override
            public void checkpointed(StreamPosition position) {
                source.checkpointed(position);
            }

            @Override
            public long skipped() {
                return source.skipped();
            }
        };
    }
}
