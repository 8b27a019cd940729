package io.streamlip.app;

import io.streamlip.filter.score.CrossModalConfig;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The cross-modal filter's keep policy as command-line options, shared by {@code streamlip demo}
 * and {@code streamlip submit} (each has its own on/off switch). {@link #applyTo} turns them into a
 * {@link CrossModalConfig}; every default shown is {@link CrossModalConfig#defaults()}'s.
 */
final class CrossModalOptions {
    private static final CrossModalConfig DEFAULTS = CrossModalConfig.defaults();

    @Option(
            names = "--crossmodal-top-fraction",
            paramLabel = "F",
            description =
                    "Live model: keep each language's top F of its recent scores (whatever its"
                            + " threshold); 1 keeps everything, 0 only what reaches a threshold"
                            + " (default: ${DEFAULT-VALUE}).")
    double topFraction = DEFAULTS.topFraction();

    @Option(
            names = "--crossmodal-threshold",
            paramLabel = "T",
            description =
                    "Live model: a score (cosine, -1 to 1) at or above which a pair is always kept,"
                            + " for languages without their own (default: none).")
    Double threshold;

    @Option(
            names = "--crossmodal-thresholds",
            split = ",",
            paramLabel = "LANG=T",
            description = "Live model: per-language thresholds, e.g. en=0.2,ja=0.1.")
    Map<String, Double> thresholds;

    @Option(
            names = "--crossmodal-window",
            paramLabel = "N",
            description =
                    "Live model: recent scores per language the top fraction is taken over"
                            + " (default: ${DEFAULT-VALUE}).")
    int window = DEFAULTS.window();

    @Option(
            names = "--crossmodal-warmup",
            paramLabel = "N",
            description =
                    "Live model: scores a language needs, after each new model, before its top"
                            + " fraction refuses anything (default: ${DEFAULT-VALUE}).")
    int warmup = DEFAULTS.warmup();

    @Option(
            names = "--crossmodal-batch-size",
            paramLabel = "N",
            description =
                    "Live model: most pairs scored in one model call; 1 scores each pair alone"
                            + " (default: ${DEFAULT-VALUE}).")
    int batchSize = DEFAULTS.batchSize();

    @Option(
            names = "--crossmodal-batch-timeout-ms",
            paramLabel = "MS",
            description =
                    "Live model: longest a pair waits for its batch to fill before the partial"
                            + " batch is scored (default: ${DEFAULT-VALUE}).")
    int batchTimeoutMillis = DEFAULTS.batchTimeoutMillis();

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /**
     * {@code base} with these options and {@code enabled}.
     *
     * @throws CommandLine.ParameterException when a value is invalid
     */
    CrossModalConfig applyTo(CrossModalConfig base, boolean enabled) {
        CrossModalConfig.Builder config =
                base.toBuilder()
                        .enabled(enabled)
                        .topFraction(topFraction)
                        .window(window)
                        .warmup(warmup)
                        .batchSize(batchSize)
                        .batchTimeoutMillis(batchTimeoutMillis);
        if (threshold != null) {
            config.defaultThreshold(threshold);
        }
        if (thresholds != null) {
            config.thresholds(thresholds);
        }
        try {
            return config.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--crossmodal-*: " + e.getMessage());
        }
    }
}
