package io.streamlip.app;

import io.streamlip.trainer.LoopTimes;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Tells from periodic looks at the pipeline when curation is idle: the import has ended, every raw
 * pair has come out of the jobs (as an example or a reject: records on those topics at least the
 * raw pairs) and neither topic has grown for {@code quiet}; curation is busy again when they grow
 * or a new raw pair arrives (at once: while idle the jobs commit seldom, so their output would tell
 * late). It also measures the trainer over the time curation was idle until the last look: examples
 * trained and examples per second. Not thread-safe: one thread looks.
 */
final class CurationIdle {
    /** A change of state a look found. */
    enum Change {
        BECAME_IDLE,
        BECAME_BUSY
    }

    /**
     * The trainer over the idle time.
     *
     * @param afterTrainingStartSeconds when curation went idle (was seen quiet for {@code quiet}),
     *     counted from the first look
     * @param seconds from then to the last look
     * @param examples examples the trainer trained in that time
     * @param examplesPerSecond examples / seconds
     * @param loopSeconds where the training loop's time went in that time, by part ({@link
     *     LoopTimes}); empty when the looks did not say
     */
    record Figure(
            double afterTrainingStartSeconds,
            double seconds,
            long examples,
            double examplesPerSecond,
            Map<String, Double> loopSeconds) {}

    private final long quietNanos;
    private long firstNanos = -1;
    private long outOnTopics = -1;
    private long rawAtIdle;
    private long lastGrowthNanos;
    private boolean idle;
    private long idleSinceNanos;
    private long trainedAtIdle;
    private long lastNanos;
    private long lastTrained;
    private Map<String, Double> loopAtIdle = Map.of();
    private Map<String, Double> lastLoop = Map.of();

    CurationIdle(Duration quiet) {
        if (quiet.isNegative() || quiet.isZero()) {
            throw new IllegalArgumentException("quiet must be positive, got " + quiet);
        }
        this.quietNanos = quiet.toNanos();
    }

    /**
     * One look at {@code nanos} ({@link System#nanoTime()}): whether the import has ended, the raw
     * pairs, the records out of the jobs (examples and rejects), the examples the trainer has
     * trained on. Returns the change of state it found, if any.
     */
    Optional<Change> look(long nanos, boolean importDone, long raw, long out, long trained) {
        return look(nanos, importDone, raw, out, trained, Map.of());
    }

    /**
     * {@link #look(long, boolean, long, long, long)}, also given the trainer's {@link
     * LoopTimes#snapshot} at that moment, so that the {@link #figure} says where the idle time
     * went.
     */
    Optional<Change> look(
            long nanos,
            boolean importDone,
            long raw,
            long out,
            long trained,
            Map<String, Double> loopSeconds) {
        lastLoop = loopSeconds;
        if (firstNanos < 0) {
            firstNanos = nanos;
            lastGrowthNanos = nanos;
        }
        lastNanos = nanos;
        lastTrained = trained;
        if (idle && raw != rawAtIdle) {
            outOnTopics = out;
            lastGrowthNanos = nanos;
            idle = false;
            return Optional.of(Change.BECAME_BUSY);
        }
        if (out != outOnTopics) {
            outOnTopics = out;
            lastGrowthNanos = nanos;
            if (idle) {
                idle = false;
                return Optional.of(Change.BECAME_BUSY);
            }
            return Optional.empty();
        }
        if (!idle && importDone && out >= raw && nanos - lastGrowthNanos >= quietNanos) {
            idle = true;
            idleSinceNanos = nanos;
            rawAtIdle = raw;
            trainedAtIdle = trained;
            loopAtIdle = loopSeconds;
            return Optional.of(Change.BECAME_IDLE);
        }
        return Optional.empty();
    }

    /** Whether curation was idle at the last look. */
    boolean idle() {
        return idle;
    }

    /**
     * The trainer from when curation last went idle to the last look; empty when it was not idle
     * then, or idle for less than {@code atLeast}.
     */
    Optional<Figure> figure(Duration atLeast) {
        long nanos = lastNanos - idleSinceNanos;
        if (!idle || nanos < atLeast.toNanos() || nanos <= 0) {
            return Optional.empty();
        }
        double seconds = nanos / 1e9;
        long examples = lastTrained - trainedAtIdle;
        return Optional.of(
                new Figure(
                        (idleSinceNanos - firstNanos) / 1e9,
                        seconds,
                        examples,
                        examples / seconds,
                        LoopTimes.between(loopAtIdle, lastLoop)));
    }
}
