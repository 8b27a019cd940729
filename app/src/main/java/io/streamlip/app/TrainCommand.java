package io.streamlip.app;

import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.tokenize.TokenizeJob;
import io.streamlip.tokenize.render.BitmapFont;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.StopCondition;
import io.streamlip.trainer.Trainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSummary;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamlip train --bootstrap HOST:PORT}: the trainer as its own process, reading the {@code
 * examples} topic of a running pipeline with its own consumer group.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train a SigLIP model from the examples topic of a running pipeline, as its own"
                    + " process and consumer group. Resumes from the newest checkpoint in"
                    + " --checkpoints (parameters, optimizer state, Kafka offsets). Runs until"
                    + " --minutes or --steps, or until interrupted (Ctrl-C writes a last"
                    + " checkpoint). Prints the run's summary as one JSON object.",
            ""
        })
final class TrainCommand implements Callable<Integer> {
    private static final TrainerConfig DEFAULTS = TrainerConfig.defaults();

    @Mixin KafkaOptions kafka;

    @Mixin TokenizerOptions tokenizer;

    @Option(
            names = "--checkpoints",
            paramLabel = "DIR",
            defaultValue = "checkpoints",
            description =
                    "Checkpoint folder; resumed from when it has one (default: ${DEFAULT-VALUE}).")
    Path checkpoints;

    @Option(
            names = "--group",
            paramLabel = "GROUP",
            description = "Kafka consumer group; one per experiment (default: ${DEFAULT-VALUE}).")
    String group = DEFAULTS.consumerGroup();

    @Option(
            names = "--minutes",
            paramLabel = "M",
            description = "Stop after M minutes (default: run until interrupted).")
    Double minutes;

    @Option(
            names = "--steps",
            paramLabel = "N",
            description = "Stop after N steps of this run (default: run until interrupted).")
    Long steps;

    @Option(
            names = "--eval-set",
            paramLabel = "DIR",
            description =
                    "Evaluation set (pairs.jsonl format) to report on while training and at the"
                            + " end (in the JSON summary as eval).")
    Path evalSet;

    @Mixin TrainerOptions trainer;

    @Option(
            names = "--render-font",
            paramLabel = "FILE",
            description =
                    "CLIPPO (--model clippo-*): the GNU Unifont .hex or .hex.gz file the tokenize"
                            + " job renders captions with, to render the --eval-set texts alike;"
                            + " each checkpoint keeps a copy for 'streamlip eval' (default:"
                            + " $STREAMLIP_FONT, else /usr/share/unifont/unifont.hex; needed"
                            + " with --eval-set).")
    Path renderFont;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description =
                    "Serve Prometheus metrics (streamlip_trainer_step, _loss,"
                            + " _examples_per_second, ...) at http://ADDRESS:PORT/metrics"
                            + " (default: off).")
    Integer metricsPort;

    @Option(
            names = "--metrics-bind",
            paramLabel = "ADDRESS",
            description = "Address of the metrics endpoint (default: ${DEFAULT-VALUE}).")
    String metricsBind = "127.0.0.1";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /**
     * The trainer's configuration from the command line: {@link TrainerOptions} over the defaults,
     * with this command's checkpoint folder, consumer group and evaluation set.
     */
    TrainerConfig trainerConfig() {
        TrainerConfig config =
                trainer.applyTo(
                        DEFAULTS.toBuilder()
                                .checkpointDir(checkpoints)
                                .consumerGroup(group)
                                .build());
        config = config.toBuilder().render(rendering(config.model())).build();
        if (evalSet != null) {
            config = config.toBuilder().evalSet(evalSet).build();
        }
        // Last: the model's vocabulary follows the tokenizer, whatever preset was chosen.
        return config.toBuilder()
                .tokenizerAndModelVocabulary(
                        tokenizer.forTraining(checkpoints, config.model().contextLength()))
                .build();
    }

    /**
     * A CLIPPO model's caption rendering: {@code --render-font}, else the font {@link
     * BitmapFont#locate} finds, with the tokenize job's (default) settings; null for another
     * family, or when no font is found and no evaluation set needs one.
     */
    private TextRenderConfig rendering(ModelConfig model) {
        if (model.family() != ModelFamily.CLIPPO) {
            if (renderFont != null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--render-font goes with a CLIPPO --model");
            }
            return null;
        }
        Path font = renderFont != null ? renderFont : BitmapFont.locate(null);
        if (font == null) {
            if (evalSet != null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "a CLIPPO model renders the --eval-set texts as the tokenize job renders"
                                + " captions: give --render-font FILE (GNU Unifont .hex or .hex.gz)"
                                + " or set STREAMLIP_FONT");
            }
            return null;
        }
        try {
            return TextRenderConfig.defaults(TokenizeJob.checkFont(font).toString());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--render-font: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (minutes != null && steps != null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "give --minutes or --steps, not both");
        }
        StopCondition stop =
                minutes != null
                        ? StopCondition.after(Duration.ofMillis(Math.round(minutes * 60_000)))
                        : steps != null
                                ? StopCondition.afterSteps(steps)
                                : StopCondition.whenStopped();
        TrainerConfig config = trainerConfig();
        PipelineTopics topics = kafka.createTopics();
        TrainingSummary summary;
        CountDownLatch finished = new CountDownLatch(1);
        try (Trainer trainer = Trainer.create(config, kafka.clients(), topics);
                TrainerMetricsExport metrics =
                        metricsPort == null
                                ? null
                                : TrainerMetricsExport.start(
                                        trainer::progress,
                                        InetAddress.getByName(metricsBind),
                                        metricsPort)) {
            if (metrics != null) {
                spec.commandLine().getErr().println("metrics: " + metrics.url());
            }
            // Ctrl-C: stop after the current step, write the last checkpoint, then exit.
            Thread hook =
                    new Thread(
                            () -> {
                                trainer.stop();
                                try {
                                    finished.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "streamlip-train-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                summary = trainer.run(stop);
            } finally {
                finished.countDown();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting through the hook: nothing to remove
            }
        }
        var out = spec.commandLine().getOut();
        out.println(Json.pretty(Json.training(summary)));
        out.flush();
        return 0;
    }
}
