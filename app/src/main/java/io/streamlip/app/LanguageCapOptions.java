package io.streamlip.app;

import io.streamlip.filter.FilterJob;
import io.streamlip.filter.config.LanguageConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The filter's language caps on a command line ({@code demo}, {@code submit}): {@code
 * --language-caps LANG=N[,LANG=N]...} and {@code --language-cap-window W}, checked when parsed.
 */
final class LanguageCapOptions {
    @Option(
            names = "--language-caps",
            paramLabel = "LANG=N[,LANG=N]...",
            description =
                    "Most curated pairs per language (e.g. en=5000,de=2000), counted over"
                            + " --language-cap-window; a pair over its language's cap is refused as"
                            + " language_cap. Default: no cap.")
    String caps;

    @Option(
            names = "--language-cap-window",
            paramLabel = "W",
            description =
                    "The rolling window of processing time the language caps count in: 0 for the"
                            + " job's lifetime (the default: a capped language stays capped, as a"
                            + " cap on a finite corpus means), or a duration such as 30s, 10m, 6h,"
                            + " 1d or PT10M (at least 1 s): a capped language is accepted again as"
                            + " the window moves past its pairs.")
    String window;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    /** {@code base} with the caps and window given. */
    LanguageConfig applyTo(LanguageConfig base) {
        LanguageConfig.Builder b = base.toBuilder();
        try {
            if (caps != null) {
                b.caps(LanguageConfig.parseCaps(caps));
            }
            if (window != null) {
                b.capWindow(LanguageConfig.parseWindow(window));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--language-caps/--language-cap-window: " + e.getMessage());
        }
    }

    /** The filter job's arguments for what was given ({@link FilterJob#main}). */
    List<String> filterJobArguments() {
        applyTo(LanguageConfig.defaults()); // refuse a bad value here, not on the cluster
        List<String> args = new ArrayList<>();
        if (caps != null) {
            args.addAll(List.of("--" + FilterJob.LANGUAGE_CAPS_OPTION, caps));
        }
        if (window != null) {
            args.addAll(List.of("--" + FilterJob.LANGUAGE_CAP_WINDOW_OPTION, window));
        }
        return args;
    }
}
