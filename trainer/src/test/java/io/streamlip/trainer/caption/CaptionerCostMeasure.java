package io.streamlip.trainer.caption;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Step time and peak memory of the captioner against the two-tower model of the same widths (small
 * vs captioner-small, with and without the sigmoid loss beside): each measured in a JVM of its own
 * (so the peak resident memory, VmHWM, is the model's), alternating models over rounds. Not part of
 * the suite (its name does not end in Test): run it with {@code -Dtest=CaptionerCostMeasure}; it
 * writes {@code target/captioner-cost.txt}.
 */
@Tag("integration")
class CaptionerCostMeasure {
    private static final String[] MODELS = {"small", "captioner-small", "captioner-small+sigmoid"};

    @Test
    void measure() throws Exception {
        int rounds = Integer.getInteger("cost.rounds", 2);
        int batch = Integer.getInteger("cost.batch", 64);
        int steps = Integer.getInteger("cost.steps", 12);
        List<String> lines = new ArrayList<>();
        lines.add("model\tround\tbatch\tms_per_step_median\tpeak_rss_mib\ttrainable_params");
        for (int r = 0; r < rounds; r++) {
            for (String model : MODELS) {
                Process p =
                        new ProcessBuilder(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-Dai.djl.offline=true",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        CaptionerCostMeasure.class.getName(),
                                        model,
                                        String.valueOf(batch),
                                        String.valueOf(steps))
                                .redirectError(ProcessBuilder.Redirect.INHERIT)
                                .start();
                String out = new String(p.getInputStream().readAllBytes()).strip();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException(model + " failed: " + out);
                }
                String last = out.substring(out.lastIndexOf('\n') + 1);
                lines.add(model + "\t" + r + "\t" + batch + "\t" + last);
            }
        }
        Path file = Path.of("target", "captioner-cost.txt");
        Files.write(file, lines);
        lines.forEach(System.out::println);
    }

    /** One model's measurement: prints {@code ms<TAB>peakMiB<TAB>params}. */
    public static void main(String[] args) throws IOException {
        String name = args[0];
        int batch = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        TrainingSession.setThreads(1);
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        boolean sigmoid = name.endsWith("+sigmoid");
        ModelConfig model = ModelConfig.preset(name.replace("+sigmoid", ""), tokenizer.vocabSize());
        if (sigmoid) {
            model = model.toBuilder().decoder(model.decoder().withContrastive(true)).build();
        }
        List<TrainingBatch> batches =
                SyntheticExamples.batches(
                        SyntheticExamples.generate(batch * 4, 3, model.imageSize(), tokenizer),
                        batch,
                        model,
                        tokenizer.eosId());
        try (TrainingSession session =
                TrainingSession.create(model, OptimizerConfig.defaults(), 1)) {
            for (int i = 0; i < 3; i++) {
                session.step(batches.get(i % batches.size()));
            }
            double[] ms = new double[steps];
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                session.step(batches.get(i % batches.size()));
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            long params = 0;
            var network = session.captioner() != null ? session.captioner() : session.model();
            for (var p : network.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    params += p.getValue().getArray().size();
                }
            }
            System.out.printf("%n%.1f\t%d\t%d%n", ms[steps / 2], peakRssKib() / 1024, params);
        }
    }

    private static long peakRssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
