package io.streamlip.bench.pytorch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PyTorch twin of the DJL SigLIP model: a Python process ({@code siglip_twin.py}, a resource of
 * this package's parent) that builds the same architecture from the Java {@link ModelConfig}
 * (serialised field by field, so a new field the twin does not know stops it with a clear error)
 * and trains it on request. It only computes while asked to, so a benchmark can alternate it with
 * DJL without the two competing for the CPUs.
 */
public final class PytorchTwin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PytorchTwin.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCRIPT = "/io/streamlip/bench/siglip_twin.py";

    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;
    private final Path script;
    private long parameters;
    private String torchVersion = "";
    private List<String> parallelInfo = List.of();

    private PytorchTwin(Process process, Path script) {
        this.process = process;
        this.script = script;
        this.in =
                new BufferedWriter(
                        new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts {@code python} on the twin script and builds the model: {@code model} at batch size
     * {@code batch}, {@code threads} intra-op threads ({@code torch.set_num_threads}), the
     * optimizer's settings. Fails with the twin's own message if it cannot build the model.
     */
    public static PytorchTwin start(
            Path python,
            ModelConfig model,
            int batch,
            int threads,
            int seed,
            OptimizerConfig optimizer)
            throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", model);
        config.put("batch", batch);
        config.put("threads", threads);
        config.put("seed", seed);
        config.put("optimizer", optimizer);
        return start(python, config, threads);
    }

    /**
     * Starts the twin for learning parity: the model starts from {@code weights} (safetensors under
     * streamlip's canonical parameter names, as {@code SiglipNames.canonical} gives them) instead
     * of its own initialisation, computes in {@code dtype} ({@code float32} or {@code float64})
     * and, with {@code permute} > 0, permutes every batch's rows by a fixed permutation (the same
     * loss in exact arithmetic, another float32 summation order). Batches then come from files:
     * {@link #train}, {@link #gradients}.
     */
    public static PytorchTwin startParity(
            Path python,
            ModelConfig model,
            int batch,
            int threads,
            OptimizerConfig optimizer,
            Path weights,
            String dtype,
            int permute)
            throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", model);
        config.put("batch", batch);
        config.put("threads", threads);
        config.put("seed", 1);
        config.put("optimizer", optimizer);
        config.put(
                "parity",
                Map.of("weights", weights.toString(), "dtype", dtype, "permute", permute));
        return start(python, config, threads);
    }

    /**
     * What one of the twin's training steps did, as {@code TrainingSession.StepResult} says it.
     *
     * @param step the optimizer's step count afterwards
     * @param loss the batch's loss before the update
     * @param learningRate the rate the update used
     * @param gradientNorm the global gradient norm before clipping
     * @param skipped whether the update was dropped (non-finite gradient)
     * @param temperature {@code t} after the update
     * @param bias {@code b} after the update
     */
    public record Step(
            long step,
            double loss,
            double learningRate,
            double gradientNorm,
            boolean skipped,
            double temperature,
            double bias) {}

    /** One training step on the batch in {@code batchFile} (safetensors: images, ids, mask). */
    public Step train(Path batchFile) throws IOException {
        JsonNode r = request(Map.of("op", "train", "batch", batchFile.toString()));
        return new Step(
                r.path("step").asLong(),
                r.path("loss").asDouble(),
                r.path("lr").asDouble(),
                r.path("gradNorm").asDouble(),
                r.path("skipped").asBoolean(),
                r.path("temperature").asDouble(),
                r.path("bias").asDouble());
    }

    /**
     * Writes the loss's gradient on the batch in {@code batchFile} to {@code out} (safetensors,
     * float32, canonical names) without an update; returns the loss.
     */
    public double gradients(Path batchFile, Path out) throws IOException {
        return request(
                        Map.of(
                                "op",
                                "gradients",
                                "batch",
                                batchFile.toString(),
                                "out",
                                out.toString()))
                .path("loss")
                .asDouble();
    }

    /** Writes the twin's weights to {@code out} (safetensors, float32, canonical names). */
    public void save(Path out) throws IOException {
        request(Map.of("op", "save", "out", out.toString()));
    }

    /** Starts the twin with a raw first request (tests give it models the Java side cannot). */
    static PytorchTwin start(Path python, Map<String, Object> config, int threads)
            throws IOException {
        Path script = Files.createTempFile("streamlip-siglip-twin", ".py");
        try (InputStream s = PytorchTwin.class.getResourceAsStream(SCRIPT)) {
            if (s == null) {
                throw new IllegalStateException("resource " + SCRIPT + " is missing");
            }
            Files.copy(s, script, StandardCopyOption.REPLACE_EXISTING);
        }
        ProcessBuilder builder =
                new ProcessBuilder(python.toString(), "-u", script.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT);
        // The same thread count on both sides; OMP_WAIT_POLICY is inherited as the JVM has it.
        builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        Process process = builder.start();
        PytorchTwin twin = new PytorchTwin(process, script);
        try {
            JsonNode ready = twin.request(config);
            twin.parameters = ready.path("parameters").asLong();
            twin.torchVersion = ready.path("torch").asText();
            List<String> info = new ArrayList<>();
            ready.path("parallel").forEach(n -> info.add(n.asText()));
            twin.parallelInfo = List.copyOf(info);
            return twin;
        } catch (IOException | RuntimeException e) {
            twin.close();
            throw e;
        }
    }

    /** Trainable scalars of the twin's model. */
    public long parameters() {
        return parameters;
    }

    /** {@code torch.__version__} of the twin. */
    public String torchVersion() {
        return torchVersion;
    }

    /** The first lines of {@code torch.__config__.parallel_info()}: threads, OpenMP, MKL. */
    public List<String> parallelInfo() {
        return parallelInfo;
    }

    /** Runs {@code n} training steps; returns each one's wall time in milliseconds. */
    public double[] steps(int n) throws IOException {
        return doubles(request(Map.of("op", "steps", "n", n)).path("ms"));
    }

    /** GFLOP/s of {@code reps} products of two {@code n x n} float32 matrices (after a warm-up). */
    public double[] matmulGflops(int n, int reps) throws IOException {
        return doubles(request(Map.of("op", "matmul", "n", n, "reps", reps)).path("gflops"));
    }

    private JsonNode request(Object request) throws IOException {
        in.write(JSON.writeValueAsString(request));
        in.newLine();
        in.flush();
        String line = out.readLine();
        if (line == null) {
            throw new IOException(
                    "the PyTorch twin ended without answering (exit "
                            + exitCode()
                            + "); see its messages above");
        }
        JsonNode reply = JSON.readTree(line);
        if (reply.has("error")) {
            throw new IllegalStateException(
                    "the PyTorch twin failed: " + reply.get("error").asText());
        }
        return reply;
    }

    private String exitCode() {
        try {
            return process.waitFor(10, TimeUnit.SECONDS)
                    ? Integer.toString(process.exitValue())
                    : "none yet";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }

    @Override
    public void close() {
        try {
            in.close(); // EOF: the twin exits
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                LOG.warn("the PyTorch twin did not exit after EOF; killing it");
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            try {
                Files.deleteIfExists(script);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
