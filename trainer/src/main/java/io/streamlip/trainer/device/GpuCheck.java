package io.streamlip.trainer.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.loss.ChunkedSigmoidLoss;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What {@code deploy/gpu/check.sh} runs: device detection, training steps of one model preset on
 * random batches (float32), their median time and peak memory, whether float32 matmuls ran as TF32,
 * and the peak memory of the sigmoid loss whole against chunked; prints ONE JSON object on stdout
 * (logs go to stderr) and exits 0 when every part ran, 1 when one failed (its {@code error} says
 * why), 2 on bad arguments. Defaults: {@code b16} at batch 256 and the loss at 4096 on the first
 * GPU, which is required; {@code --smoke}: {@code tiny} at small batches on whatever device there
 * is.
 */
public final class GpuCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A float32 matmul this far off the CPU's (relative to its largest value) ran as TF32. */
    static final double TF32_RELATIVE_ERROR = 1e-4;

    private GpuCheck() {}

    /**
     * The check's settings.
     *
     * @param smoke the small mode (tiny model, small batches)
     * @param device where to compute; {@link DeviceChoice#GPU} fails without a GPU
     * @param model preset name ({@link ModelConfig#preset})
     * @param vocab token ids of the model's text tower
     * @param batch examples per training step
     * @param warmup untimed steps first
     * @param steps timed steps (the median is reported)
     * @param lossBatch B of the loss comparison
     * @param lossChunks chunks of the chunked loss
     * @param threads PyTorch intra-op threads (CPU work)
     * @param seed of the model's initialisation and the random batches
     */
    public record Options(
            boolean smoke,
            DeviceChoice device,
            String model,
            int vocab,
            int batch,
            int warmup,
            int steps,
            int lossBatch,
            int lossChunks,
            int threads,
            int seed) {
        public Options {
            positive("--vocab", vocab);
            positive("--batch", batch);
            positive("--steps", steps);
            positive("--loss-batch", lossBatch);
            positive("--threads", threads);
            if (warmup < 0) {
                throw new IllegalArgumentException("--warmup must be 0 or more, got " + warmup);
            }
            if (lossChunks < 2 || lossChunks > lossBatch) {
                throw new IllegalArgumentException(
                        "--loss-chunks must lie in [2, --loss-batch], got " + lossChunks);
            }
            if (batch > 65_536 || lossBatch > 131_072 || steps > 1000 || warmup > 1000) {
                throw new IllegalArgumentException(
                        "batch <= 65536, loss batch <= 131072, steps and warmup <= 1000");
            }
        }

        /** The full check: b16 at batch 256, the loss at 4096 in 8 chunks, on the first GPU. */
        public static Options full() {
            return new Options(
                    false,
                    DeviceChoice.GPU,
                    "b16",
                    32_000,
                    256,
                    3,
                    5,
                    4096,
                    8,
                    Runtime.getRuntime().availableProcessors(),
                    7);
        }

        /** The smoke check: tiny at batch 16, the loss at 512 in 4 chunks, on any device. */
        public static Options smokeDefaults() {
            return new Options(
                    true,
                    DeviceChoice.AUTO,
                    "tiny",
                    512,
                    16,
                    1,
                    3,
                    512,
                    4,
                    Math.min(2, Runtime.getRuntime().availableProcessors()),
                    7);
        }

        /** Parses the command line: {@code --smoke} picks the defaults, the rest override them. */
        public static Options parse(String... args) {
            boolean smoke = Arrays.asList(args).contains("--smoke");
            Options o = smoke ? smokeDefaults() : full();
            DeviceChoice device = o.device;
            String model = o.model;
            int[] n = {o.vocab, o.batch, o.warmup, o.steps, o.lossBatch, o.lossChunks, o.threads};
            int seed = o.seed;
            List<String> names =
                    List.of(
                            "--vocab",
                            "--batch",
                            "--warmup",
                            "--steps",
                            "--loss-batch",
                            "--loss-chunks",
                            "--threads");
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--smoke")) {
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("unknown option or missing value: " + a);
                }
                String v = args[++i];
                if (a.equals("--device")) {
                    device = DeviceChoice.parse(v);
                } else if (a.equals("--model")) {
                    model = v;
                } else if (a.equals("--seed")) {
                    seed = integer(a, v);
                } else if (names.contains(a)) {
                    n[names.indexOf(a)] = integer(a, v);
                } else {
                    throw new IllegalArgumentException("unknown option: " + a);
                }
            }
            return new Options(
                    smoke, device, model, n[0], n[1], n[2], n[3], n[4], n[5], n[6], seed);
        }

        private static int integer(String name, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " takes an integer, got " + value, e);
            }
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
        }
    }

    /** Runs the check and prints its JSON object; see the class comment for the exit codes. */
    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", false);
            out.put("error", e.getMessage());
            out.put(
                    "usage",
                    "GpuCheck [--smoke] [--device auto|cpu|gpu] [--model PRESET] [--vocab N]"
                            + " [--batch N] [--warmup N] [--steps N] [--loss-batch N]"
                            + " [--loss-chunks N] [--threads N] [--seed N]");
            System.out.println(json(out));
            System.exit(2);
            return;
        }
        Map<String, Object> out = run(options);
        System.out.println(json(out));
        System.out.flush();
        System.exit(Boolean.TRUE.equals(out.get("ok")) ? 0 : 1);
    }

    /** Runs every part of the check; the map is the JSON object {@link #main} prints. */
    public static Map<String, Object> run(Options options) {
        long start = System.nanoTime();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", false);
        out.put("mode", options.smoke() ? "smoke" : "full");
        out.put("java", System.getProperty("java.version"));
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | LinkageError e) {
            out.put("error", "DJL's PyTorch engine did not load: " + describe(e));
            return finish(out, start);
        }
        out.put("djl", Engine.getDjlVersion());
        out.put("libtorch", libtorch(engine));
        Map<String, Object> deviceInfo = new LinkedHashMap<>();
        out.put("device", deviceInfo);
        Device device;
        try {
            device = detect(engine, options, deviceInfo);
        } catch (RuntimeException e) {
            out.put("error", e.getMessage());
            return finish(out, start);
        }
        TrainingSession.setThreads(options.threads());
        List<String> errors = new ArrayList<>();
        out.put("tf32_matmul", part(errors, "tf32_matmul", () -> tf32(device)));
        out.put("train_step", part(errors, "train_step", () -> trainStep(device, options)));
        out.put("loss_memory", part(errors, "loss_memory", () -> lossMemory(device, options)));
        out.put("ok", errors.isEmpty());
        if (!errors.isEmpty()) {
            out.put("error", "failed: " + String.join(", ", errors));
        }
        return finish(out, start);
    }

    private static Map<String, Object> finish(Map<String, Object> out, long start) {
        out.put("elapsed_s", round((System.nanoTime() - start) / 1e9, 1));
        return out;
    }

    /** Runs one part; a failure (a GPU out of memory, say) becomes its {@code error}. */
    private static Map<String, Object> part(
            List<String> errors, String name, java.util.function.Supplier<Map<String, Object>> p) {
        try {
            return p.get();
        } catch (RuntimeException | OutOfMemoryError e) {
            errors.add(name);
            Map<String, Object> failed = new LinkedHashMap<>();
            failed.put("error", describe(e));
            return failed;
        }
    }

    private static Map<String, Object> libtorch(Engine engine) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", engine.getVersion());
        m.put("dir", LibUtils.getLibtorchPath());
        m.put("flavor", environment("PYTORCH_FLAVOR"));
        m.put("found_by", System.getProperty("streamlip.gpucheck.libtorch.source"));
        List<String> capabilities = new ArrayList<>();
        for (String c :
                List.of(
                        StandardCapabilities.CUDA,
                        StandardCapabilities.CUDNN,
                        StandardCapabilities.MKL,
                        StandardCapabilities.MKLDNN,
                        StandardCapabilities.OPENMP)) {
            if (engine.hasCapability(c)) {
                capabilities.add(c);
            }
        }
        m.put("capabilities", capabilities);
        return m;
    }

    private static Device detect(Engine engine, Options options, Map<String, Object> info) {
        int gpus = engine.getGpuCount();
        info.put("gpu_count", gpus);
        info.put("asked", options.device().name().toLowerCase(Locale.ROOT));
        if (gpus == 0 && engine.hasCapability(StandardCapabilities.CUDA)) {
            // DJL counts GPUs through the CUDA runtime, loaded by JNA as "cudart"; a CUDA libtorch
            // whose libcudart has another name (pip wheels, libtorch zips) counts none.
            info.put(
                    "note",
                    "libtorch was built with CUDA but DJL counted no GPU: DJL loads libcudart"
                            + " through JNA (jna.library.path); deploy/gpu/check.sh links it");
        }
        Device device = Devices.select(options.device(), gpus);
        info.put("used", device.toString());
        if (device.isGpu()) {
            int id = device.getDeviceId();
            info.put("compute_capability", attempt(() -> CudaUtils.getComputeCapability(id)));
            info.put("cuda_runtime", attempt(CudaUtils::getCudaVersionString));
            info.put(
                    "memory_total_mib",
                    attempt(() -> CudaUtils.getGpuMemory(device).getMax() / (double) (1 << 20)));
            Map<String, String> smi = nvidiaSmi(id);
            info.put("name", smi.get("name"));
            info.put("driver", smi.get("driver_version"));
            info.put(
                    "name_source",
                    smi.isEmpty() ? "none (DJL 0.36 exposes no device name)" : "nvidia-smi");
        }
        return device;
    }

    /**
     * Whether float32 matmuls ran as TF32: one 1024 x 1024 product on the device against the CPU's.
     * DJL 0.36 has no setter for it; libtorch reads TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 (which
     * check.sh sets) at its first matmul.
     */
    private static Map<String, Object> tf32(Device device) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE", environment("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE"));
        m.put("how", "environment variable read by libtorch; DJL 0.36 has no TF32 setting");
        if (!device.isGpu()) {
            m.put("observed", null);
            m.put("note", "CPU: TF32 is a CUDA matmul mode");
            return m;
        }
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                NDManager gpu = NDManager.newBaseManager(device, "PyTorch")) {
            Engine.getEngine("PyTorch").setRandomSeed(11);
            NDArray a = cpu.randomNormal(new Shape(1024, 1024));
            NDArray b = cpu.randomNormal(new Shape(1024, 1024));
            NDArray exact = a.matMul(b);
            NDArray onDevice = a.toDevice(device, true).matMul(b.toDevice(device, true));
            onDevice.attach(gpu);
            NDArray back = onDevice.toDevice(Device.cpu(), true);
            double diff = back.sub(exact).abs().max().getFloat();
            double scale = exact.abs().max().getFloat();
            double relative = diff / scale;
            m.put("relative_error_vs_cpu", relative);
            m.put("observed", relative > TF32_RELATIVE_ERROR);
            m.put(
                    "rule",
                    "TF32 when the max abs difference over the max abs value exceeds "
                            + TF32_RELATIVE_ERROR
                            + " (float32 is ~1e-6)");
        }
        return m;
    }

    /** {@code options.steps()} timed training steps after the warm-up, on random batches. */
    private static Map<String, Object> trainStep(Device device, Options options) {
        ModelConfig model = ModelConfig.preset(options.model(), options.vocab());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", options.model());
        m.put("vocab", options.vocab());
        m.put("batch", options.batch());
        m.put("image_size", model.imageSize());
        m.put("dtype", "float32");
        m.put("warmup", options.warmup());
        m.put("timed", options.steps());
        Random random = new Random(options.seed());
        List<TrainingBatch> batches = new ArrayList<>();
        for (int i = 0; i < Math.min(2, options.warmup() + options.steps()); i++) {
            batches.add(randomBatch(model, options.batch(), random));
        }
        double[] ms = new double[options.steps()];
        float[] losses = new float[2];
        long[] parameters = new long[1];
        PeakMemory.emptyCache(device);
        PeakMemory.Peak peak =
                PeakMemory.measure(
                        device,
                        () -> {
                            try (TrainingSession session =
                                    TrainingSession.create(
                                            model,
                                            OptimizerConfig.defaults(),
                                            LossConfig.defaults(),
                                            null,
                                            options.seed(),
                                            device)) {
                                for (var p : session.contrastiveModel().getParameters()) {
                                    parameters[0] += p.getValue().getArray().size();
                                }
                                int k = 0;
                                for (int i = 0; i < options.warmup(); i++, k++) {
                                    float loss =
                                            session.step(batches.get(k % batches.size())).loss();
                                    if (k == 0) {
                                        losses[0] = loss;
                                    }
                                }
                                for (int i = 0; i < options.steps(); i++, k++) {
                                    long t0 = System.nanoTime();
                                    // The step result reads t' and b after the update: a device
                                    // sync, so the update is inside the timed interval.
                                    float loss =
                                            session.step(batches.get(k % batches.size())).loss();
                                    ms[i] = (System.nanoTime() - t0) / 1e6;
                                    if (k == 0) {
                                        losses[0] = loss;
                                    }
                                    losses[1] = loss;
                                }
                            } catch (java.io.IOException e) {
                                throw new IllegalStateException(e);
                            }
                        });
        double median = median(ms);
        m.put("parameters", parameters[0]);
        m.put("step_ms_median", round(median, 2));
        m.put("step_ms", Arrays.stream(ms).map(v -> round(v, 2)).boxed().toList());
        m.put("examples_per_s", round(options.batch() * 1000.0 / median, 1));
        m.put("loss_first", losses[0]);
        m.put("loss_last", losses[1]);
        m.put("finite", Float.isFinite(losses[0]) && Float.isFinite(losses[1]));
        m.put("peak_memory_mib", round(peak.mib(), 1));
        m.put("memory_method", peak.method());
        if (!Float.isFinite(losses[1])) {
            throw new IllegalStateException("the loss is not finite: " + losses[1]);
        }
        return m;
    }

    /**
     * Peak memory and time of the sigmoid loss's forward and backward at B = {@code lossBatch} on
     * random unit embeddings of the model's width, whole (one B x B logit matrix) against chunked
     * ({@link ChunkedSigmoidLoss}); the towers are left out (they cost the same either way).
     */
    private static Map<String, Object> lossMemory(Device device, Options options) {
        int dim = ModelConfig.preset(options.model(), options.vocab()).embedDim();
        int b = options.lossBatch();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch", b);
        m.put("embed_dim", dim);
        m.put("chunks", options.lossChunks());
        double fullLogits = (double) b * b * Float.BYTES / (1 << 20);
        m.put("full_logits_mib", round(fullLogits, 1));
        Map<String, Object> whole = lossRun(device, b, dim, 0);
        Map<String, Object> chunked = lossRun(device, b, dim, options.lossChunks());
        m.put("sigmoid", whole);
        m.put("chunked", chunked);
        double wholePeak = (double) whole.get("peak_mib");
        double chunkedPeak = (double) chunked.get("peak_mib");
        m.put(
                "chunked_over_sigmoid_peak",
                wholePeak > 0 ? round(chunkedPeak / wholePeak, 3) : null);
        m.put(
                "loss_abs_difference",
                Math.abs((float) whole.get("loss") - (float) chunked.get("loss")));
        m.put("memory_method", whole.get("memory_method"));
        whole.remove("memory_method");
        chunked.remove("memory_method");
        return m;
    }

    /** One warm-up and three measured runs: the largest peak, the median time, the loss. */
    private static Map<String, Object> lossRun(Device device, int batch, int dim, int chunks) {
        LossMemory.Measurement run = LossMemory.measure(device, batch, dim, chunks, 3);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("peak_mib", round(run.peakBytes() / (double) (1 << 20), 1));
        m.put("ms_median", round(median(run.millis()), 2));
        m.put("loss", run.loss());
        m.put("memory_method", run.method());
        return m;
    }

    /** Random images in [-1, 1] and captions of 4 to contextLength random ids. */
    static TrainingBatch randomBatch(ModelConfig model, int batch, Random random) {
        int size = model.imageSize();
        int context = model.contextLength();
        float[] images = new float[batch * 3 * size * size];
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat() * 2 - 1;
        }
        int[] ids = new int[batch * context];
        float[] mask = new float[batch * context];
        int eos = 1;
        for (int i = 0; i < batch; i++) {
            int[] tokens = new int[Math.min(context, 4 + random.nextInt(Math.max(1, context - 3)))];
            for (int j = 0; j < tokens.length - 1; j++) {
                tokens[j] = 2 + random.nextInt(model.vocabSize() - 2);
            }
            tokens[tokens.length - 1] = eos;
            TrainingBatch.putTokens(tokens, context, eos, ids, mask, i);
        }
        return new TrainingBatch(
                batch,
                size,
                context,
                images,
                ids,
                mask,
                Collections.nCopies(batch, "en"),
                Map.of());
    }

    /** nvidia-smi's name and driver of GPU {@code id}; empty where there is no nvidia-smi. */
    private static Map<String, String> nvidiaSmi(int id) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            Process p =
                    new ProcessBuilder(
                                    "nvidia-smi",
                                    "--query-gpu=name,driver_version",
                                    "--format=csv,noheader",
                                    "-i",
                                    String.valueOf(id))
                            .redirectErrorStream(true)
                            .start();
            String line;
            try (BufferedReader r =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                line = r.readLine();
            }
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && line != null) {
                String[] parts = line.split(",\\s*");
                m.put("name", parts[0].trim());
                if (parts.length > 1) {
                    m.put("driver_version", parts[1].trim());
                }
            } else {
                p.destroyForcibly();
            }
        } catch (java.io.IOException e) {
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return m;
    }

    private static Object attempt(java.util.function.Supplier<Object> s) {
        try {
            return s.get();
        } catch (RuntimeException | LinkageError e) {
            return "unavailable: " + describe(e);
        }
    }

    private static String environment(String name) {
        return System.getenv(name);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static String json(Map<String, Object> out) {
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            return "{\"ok\":false,\"error\":\"cannot write the result as JSON\"}";
        }
    }
}
