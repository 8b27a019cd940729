package io.streamlip.app;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress of long work, on stderr so stdout stays machine-readable. */
final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private Progress() {}

    /**
     * A bar redrawn in place on a terminal; without one (output redirected to a file, CI) the same
     * progress as a log line every 10 seconds instead of carriage-return redraws.
     *
     * @param total expected steps; unknown (negative) shows an open-ended bar
     */
    static ProgressBar bar(String task, long total) {
        ProgressBarBuilder builder =
                new ProgressBarBuilder()
                        .setTaskName(task)
                        .setInitialMax(total > 0 ? total : -1)
                        .setStyle(ProgressBarStyle.ASCII)
                        .showSpeed();
        if (System.console() != null) {
            builder.setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .setUpdateIntervalMillis(500);
        } else {
            builder.setConsumer(new DelegatingProgressBarConsumer(LOG::info))
                    .setUpdateIntervalMillis(10_000);
        }
        return builder.build();
    }
}
