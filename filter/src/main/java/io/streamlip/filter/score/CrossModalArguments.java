package io.streamlip.filter.score;

import io.streamlip.platform.flink.JobArguments;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The cross-modal filter's settings as the filter job's own options ({@code JobArguments}): {@code
 * --crossmodal-score true|false}, {@code --crossmodal-top-fraction F}, {@code
 * --crossmodal-threshold T} (languages without their own), {@code --crossmodal-thresholds
 * LANG=T,...}, {@code --crossmodal-window N}, {@code --crossmodal-warmup N}, {@code
 * --crossmodal-batch-size N}, {@code --crossmodal-batch-timeout-ms MS}. {@link #of} writes what
 * {@link #apply} reads, so {@code streamlip submit} and the job agree.
 */
public final class CrossModalArguments {
    public static final String ENABLED = "crossmodal-score";
    public static final String TOP_FRACTION = "crossmodal-top-fraction";
    public static final String THRESHOLD = "crossmodal-threshold";
    public static final String THRESHOLDS = "crossmodal-thresholds";
    public static final String WINDOW = "crossmodal-window";
    public static final String WARMUP = "crossmodal-warmup";
    public static final String BATCH_SIZE = "crossmodal-batch-size";
    public static final String BATCH_TIMEOUT = "crossmodal-batch-timeout-ms";

    /** The option names, for {@link JobArguments#parse(String[], Set)}. */
    public static final Set<String> NAMES =
            Set.of(
                    ENABLED,
                    TOP_FRACTION,
                    THRESHOLD,
                    THRESHOLDS,
                    WINDOW,
                    WARMUP,
                    BATCH_SIZE,
                    BATCH_TIMEOUT);

    private CrossModalArguments() {}

    /**
     * {@code base} with the options given in {@code arguments}.
     *
     * @throws IllegalArgumentException naming the option when a value is not valid
     */
    public static CrossModalConfig apply(JobArguments arguments, CrossModalConfig base) {
        CrossModalConfig.Builder config = base.toBuilder();
        try {
            arguments.jobOption(ENABLED).ifPresent(v -> config.enabled(bool(ENABLED, v)));
            arguments
                    .jobOption(TOP_FRACTION)
                    .ifPresent(v -> config.topFraction(Double.parseDouble(v)));
            arguments
                    .jobOption(THRESHOLD)
                    .ifPresent(v -> config.defaultThreshold(Double.parseDouble(v)));
            arguments.jobOption(THRESHOLDS).ifPresent(v -> config.thresholds(thresholds(v)));
            arguments.jobOption(WINDOW).ifPresent(v -> config.window(Integer.parseInt(v)));
            arguments.jobOption(WARMUP).ifPresent(v -> config.warmup(Integer.parseInt(v)));
            arguments.jobOption(BATCH_SIZE).ifPresent(v -> config.batchSize(Integer.parseInt(v)));
            arguments
                    .jobOption(BATCH_TIMEOUT)
                    .ifPresent(v -> config.batchTimeoutMillis(Integer.parseInt(v)));
            return config.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the --crossmodal-* options: " + e.getMessage(), e);
        }
    }

    /** The options that give {@code config} when applied over the defaults. */
    public static List<String> of(CrossModalConfig config) {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--" + ENABLED, Boolean.toString(config.enabled())));
        args.addAll(List.of("--" + TOP_FRACTION, Double.toString(config.topFraction())));
        if (!Double.isNaN(config.defaultThreshold())) {
            args.addAll(List.of("--" + THRESHOLD, Double.toString(config.defaultThreshold())));
        }
        if (!config.thresholds().isEmpty()) {
            List<String> pairs = new ArrayList<>();
            config.thresholds().forEach((lang, t) -> pairs.add(lang + "=" + t));
            args.addAll(List.of("--" + THRESHOLDS, String.join(",", pairs)));
        }
        args.addAll(List.of("--" + WINDOW, Integer.toString(config.window())));
        args.addAll(List.of("--" + WARMUP, Integer.toString(config.warmup())));
        args.addAll(List.of("--" + BATCH_SIZE, Integer.toString(config.batchSize())));
        args.addAll(List.of("--" + BATCH_TIMEOUT, Integer.toString(config.batchTimeoutMillis())));
        return args;
    }

    /** {@code LANG=T,LANG=T}. */
    static Map<String, Double> thresholds(String value) {
        Map<String, Double> thresholds = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "--" + THRESHOLDS + " takes LANG=T,..., got '" + p + "'");
            }
            thresholds.put(p.substring(0, eq).strip(), Double.parseDouble(p.substring(eq + 1)));
        }
        return thresholds;
    }

    private static boolean bool(String name, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "on" -> true;
            case "false", "off" -> false;
            default ->
                    throw new IllegalArgumentException(
                            "--" + name + " takes true or false, got '" + value + "'");
        };
    }
}
