package io.streamlip.bench;

import io.streamlip.filter.score.CrossModalConfig;
import io.streamlip.filter.score.CrossModalPolicy;
import io.streamlip.ingest.synthetic.SyntheticCuratedPairs;
import io.streamlip.platform.score.PairScorer;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.ModelUpdatePublisher;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import io.streamlip.trainer.score.CheckpointScorerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.io.FileUtils;

/**
 * {@code streamlip bench crossmodal}: pairs/s of the filter's cross-modal score on CPU, for the
 * tiny (tests) and small (demo) models: one pair per model call (decode, resize, tokenize, both
 * towers, the keep/refuse policy; the operator's path before micro-batches) and batches of 32 (the
 * operator's default {@code batchSize}). Also the time to load a checkpoint, which the operator
 * pays once per model update.
 */
public final class CrossModalBenchmark implements Benchmark {
    private static final int BATCH = CrossModalConfig.defaults().batchSize();

    @Override
    public String name() {
        return "crossmodal";
    }

    @Override
    public String description() {
        return "pairs/s of the cross-modal score filter (DJL, CPU) with the tiny and small models";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        int threads = options.threads() > 0 ? options.threads() : 1;
        TrainingSession.setThreads(threads);
        int pairs = options.quick() ? 64 : 1024;
        int warmup = options.quick() ? 8 : 128;
        List<CuratedPair> data = SyntheticCuratedPairs.generate(pairs + warmup, 3);
        int vocab = new ByteTokenizer(32).vocabSize();
        BenchResult result =
                new BenchResult(
                        "crossmodal: score operator throughput on CPU (DJL, PyTorch engine)",
                        List.of("model", "mode", "pairs", "pairs/s", "ms/pair", "load ms"));
        Path root = Files.createTempDirectory("streamlip-crossmodal-bench");
        try {
            for (ModelConfig model : List.of(ModelConfig.tiny(vocab), ModelConfig.small(vocab))) {
                ModelUpdate update = checkpoint(root, model);
                long t0 = System.nanoTime();
                try (PairScorer scorer = new CheckpointScorerFactory(null, threads).load(update)) {
                    double loadMs = (System.nanoTime() - t0) / 1e6;
                    CrossModalPolicy policy = new CrossModalPolicy(CrossModalConfig.defaults());
                    for (CuratedPair p : data.subList(0, warmup)) {
                        policy.decide(p.getLang(), scorer.score(p));
                    }
                    List<CuratedPair> timed = data.subList(warmup, warmup + pairs);
                    long start = System.nanoTime();
                    for (CuratedPair p : timed) {
                        policy.decide(p.getLang(), scorer.score(p));
                    }
                    double single = (System.nanoTime() - start) / 1e9;
                    start = System.nanoTime();
                    for (int i = 0; i < pairs; i += BATCH) {
                        scorer.score(timed.subList(i, Math.min(pairs, i + BATCH)));
                    }
                    double batched = (System.nanoTime() - start) / 1e9;
                    result.row(
                            model.name(),
                            "per pair",
                            pairs,
                            pairs / single,
                            1000 * single / pairs,
                            loadMs);
                    result.row(
                            model.name(),
                            "batch " + BATCH + " (operator)",
                            pairs,
                            pairs / batched,
                            1000 * batched / pairs,
                            loadMs);
                    result.put(model.name() + "_pairs_per_second", pairs / single)
                            .put(model.name() + "_batch_pairs_per_second", pairs / batched)
                            .put(model.name() + "_load_ms", loadMs);
                }
            }
        } finally {
            FileUtils.deleteQuietly(root.toFile());
        }
        result.note(
                String.format(
                        Locale.ROOT,
                        "synthetic 32 px PNG pairs, byte tokenizer; randomly initialised models"
                                + " (speed does not depend on training); %d PyTorch thread(s);"
                                + " %d CPUs",
                        threads,
                        Runtime.getRuntime().availableProcessors()));
        return result;
    }

    /** A checkpoint of a fresh model, announced as a model update. */
    static ModelUpdate checkpoint(Path root, ModelConfig model) throws Exception {
        CheckpointStore store = new CheckpointStore(root.resolve(model.name()), 1);
        ByteTokenizer tokenizer = new ByteTokenizer(model.contextLength());
        String version = "bench-" + model.name() + "/step-00000000";
        TrainingState state =
                new TrainingState(
                        version,
                        0,
                        0,
                        0,
                        List.of(),
                        model,
                        tokenizer.version(),
                        null,
                        null,
                        10,
                        -10,
                        Instant.now().toString(),
                        Map.of(),
                        List.of(),
                        null,
                        null);
        try (TrainingSession session =
                TrainingSession.create(model, OptimizerConfig.defaults(), 1)) {
            return ModelUpdatePublisher.toRecord(store.write(state, session::save), state);
        }
    }
}
