package io.streamlip.trainer;

import io.streamlip.trainer.checkpoint.TrainingState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Running summaries of the training loss: first and last steps, windows, since a checkpoint. */
final class LossTracker {
    static final int EDGE = 10;
    private static final int MAX_HISTORY = 2000;

    private final int window;
    private final List<Double> first = new ArrayList<>();
    private final Deque<Double> last = new ArrayDeque<>();
    private final List<double[]> history;
    private double windowSum;
    private int windowCount;
    private double windowMean = Double.NaN;
    private double checkpointSum;
    private int checkpointCount;

    LossTracker(int window, List<double[]> previousHistory) {
        this.window = window;
        this.history = new ArrayList<>(previousHistory);
    }

    /**
     * Records the loss of {@code step}.
     *
     * @return whether this step closed a window (then {@link #windowMean()} is its mean)
     */
    boolean add(long step, double loss) {
        if (first.size() < EDGE) {
            first.add(loss);
        }
        last.addLast(loss);
        if (last.size() > EDGE) {
            last.removeFirst();
        }
        windowSum += loss;
        windowCount++;
        checkpointSum += loss;
        checkpointCount++;
        if (windowCount < window) {
            return false;
        }
        windowMean = windowSum / windowCount;
        history.add(new double[] {step, windowMean});
        windowSum = 0;
        windowCount = 0;
        if (history.size() > MAX_HISTORY) {
            thin();
        }
        return true;
    }

    /** The mean loss of the latest closed window (NaN before the first). */
    double windowMean() {
        return windowMean;
    }

    /** Keeps every other entry: the history stays bounded on endless streams. */
    private void thin() {
        List<double[]> kept = new ArrayList<>();
        for (int i = 0; i < history.size(); i += 2) {
            kept.add(history.get(i));
        }
        history.clear();
        history.addAll(kept);
    }

    double firstMean() {
        return mean(first);
    }

    double lastMean() {
        return mean(last);
    }

    /** The mean since the previous call (or the start), then resets it. */
    Double takeSinceCheckpoint() {
        Double mean = checkpointCount == 0 ? null : checkpointSum / checkpointCount;
        checkpointSum = 0;
        checkpointCount = 0;
        return mean;
    }

    TrainingState.LossSummary summary(Double sinceCheckpoint) {
        return new TrainingState.LossSummary(
                first.isEmpty() ? null : firstMean(),
                last.isEmpty() ? null : lastMean(),
                sinceCheckpoint,
                history);
    }

    private static double mean(Iterable<Double> values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            sum += v;
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
