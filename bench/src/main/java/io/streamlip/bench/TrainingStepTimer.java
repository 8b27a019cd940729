package io.streamlip.bench;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.render.BitmapFont;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.data.PreprocessedExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Measures training-step time and throughput of a model at a batch size and thread count, on
 * synthetic batches prepared beforehand (so only the step is timed: forward, loss, backward,
 * optimizer update), for {@code streamlip bench trainer} ({@link TrainerStepBenchmark}).
 */
public final class TrainingStepTimer {
    private TrainingStepTimer() {}

    /**
     * One measurement.
     *
     * @param model preset name of the model
     * @param batchSize examples per step
     * @param threads PyTorch intra-op threads
     * @param steps timed steps
     * @param msPerStep median wall time of a timed step, milliseconds
     * @param meanMsPerStep mean wall time of a timed step, milliseconds (with the steps that
     *     something else on the machine slowed, which the median leaves out)
     * @param examplesPerSecond {@code batchSize / msPerStep * 1000}
     * @param parameters number of trainable scalars of the model
     * @param rssGrowthMb the process's resident memory at its highest during the steps less before
     *     the model was made, MiB (read from /proc; 0 where there is none): parameters, optimizer
     *     state and activations, as far as the allocator hands memory back in between
     */
    public record Result(
            String model,
            int batchSize,
            int threads,
            int steps,
            double msPerStep,
            double meanMsPerStep,
            double examplesPerSecond,
            long parameters,
            double rssGrowthMb) {}

    /**
     * Times {@code steps} steps after {@code warmup} untimed ones. Sets PyTorch's intra-op thread
     * count for the whole process.
     */
    public static Result measure(
            ModelConfig model, int batchSize, int threads, int warmup, int steps) {
        TrainingSession.setThreads(threads);
        ByteTokenizer tokenizer = new ByteTokenizer(model.contextLength());
        int distinct = Math.min(4, warmup + steps);
        List<TrainingBatch> batches =
                PreprocessedExamples.batches(
                        PreprocessedExamples.of(
                                new SyntheticPairs().pairs(batchSize * distinct, 3),
                                model.imageSize(),
                                tokenizer,
                                rendering(model)),
                        batchSize,
                        model,
                        tokenizer.eosId());
        long rssBefore = residentKb();
        long rssPeak = rssBefore;
        try (TrainingSession session =
                TrainingSession.create(model, OptimizerConfig.defaults(), 1)) {
            for (int i = 0; i < warmup; i++) {
                session.step(batches.get(i % batches.size()));
                rssPeak = Math.max(rssPeak, residentKb());
            }
            double[] stepMs = new double[steps];
            for (int i = 0; i < steps; i++) {
                long start = System.nanoTime();
                session.step(batches.get(i % batches.size()));
                stepMs[i] = (System.nanoTime() - start) / 1e6;
                rssPeak = Math.max(rssPeak, residentKb());
            }
            double mean = Arrays.stream(stepMs).average().orElse(Double.NaN);
            // The median: a shared machine stalls a few steps now and then, and those stalls are
            // not the step's cost.
            Arrays.sort(stepMs);
            double ms =
                    steps % 2 == 1
                            ? stepMs[steps / 2]
                            : (stepMs[steps / 2 - 1] + stepMs[steps / 2]) / 2;
            long parameters = 0;
            for (var p : session.contrastiveModel().getParameters()) {
                parameters += p.getValue().getArray().size();
            }
            return new Result(
                    model.name(),
                    batchSize,
                    threads,
                    steps,
                    ms,
                    mean,
                    batchSize * 1000.0 / ms,
                    parameters,
                    (rssPeak - rssBefore) / 1024.0);
        }
    }

    /**
     * The caption rendering a CLIPPO model's batches need: the font {@link BitmapFont#locate} finds
     * ({@code STREAMLIP_FONT}, Debian's unifont), CLIPPO's settings; null for other models.
     */
    private static ClippoRendering rendering(ModelConfig model) {
        if (model.family() != ModelFamily.CLIPPO) {
            return null;
        }
        Path font = BitmapFont.locate(null);
        if (font == null) {
            throw new IllegalArgumentException(
                    "timing a CLIPPO model renders captions: set STREAMLIP_FONT to a GNU Unifont"
                            + " .hex(.gz) file or install Debian's unifont");
        }
        return ClippoRendering.open(TextRenderConfig.defaults(font.toString()));
    }

    /** This process's resident set (VmRSS), KiB; 0 where /proc is not there. */
    static long residentKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
