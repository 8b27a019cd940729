package io.streamlip.bench;

import java.util.List;
import java.util.Optional;

/** The benchmarks {@code streamlip bench} knows, by name. */
public final class Benchmarks {
    private final List<Benchmark> all;

    public Benchmarks(List<Benchmark> all) {
        this.all = List.copyOf(all);
    }

    /** Every benchmark of the project. */
    public static Benchmarks standard() {
        return new Benchmarks(
                List.of(
                        new TrainerStepBenchmark(),
                        new ClippoStepBenchmark(),
                        new DatapathBenchmark(),
                        new EmojiLearningBenchmark(),
                        new ChunkedLossBenchmark(),
                        new SmallBatchBenchmark(),
                        new TrainerVsPytorchBenchmark(),
                        new LearningParityBenchmark(),
                        new TokenizerBenchmark(),
                        new CrossModalBenchmark(),
                        new CurationBenchmark(),
                        new CurationCostBenchmark(),
                        new PhashIndexBenchmark(),
                        new FetchBenchmark(),
                        new FetchInlineBenchmark(),
                        new LimoeBenchmark(),
                        new FamiliesBenchmark(),
                        new LiveLoopBenchmark()));
    }

    public List<Benchmark> all() {
        return all;
    }

    public Optional<Benchmark> find(String name) {
        return all.stream().filter(b -> b.name().equals(name)).findFirst();
    }
}
