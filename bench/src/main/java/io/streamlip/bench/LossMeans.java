package io.streamlip.bench;

import java.util.List;

/** The mean loss of a run's first or last steps, as the learning benchmarks report it. */
final class LossMeans {
    private LossMeans() {}

    /** The mean of the first {@code n} of {@code losses} (all when fewer); NaN when none. */
    static double head(List<Float> losses, int n) {
        return losses.stream()
                .limit(n)
                .mapToDouble(Float::doubleValue)
                .average()
                .orElse(Double.NaN);
    }

    /** The mean of the last {@code n} of {@code losses} (all when fewer); NaN when none. */
    static double tail(List<Float> losses, int n) {
        return losses.subList(Math.max(0, losses.size() - n), losses.size()).stream()
                .mapToDouble(Float::doubleValue)
                .average()
                .orElse(Double.NaN);
    }
}
