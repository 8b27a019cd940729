package io.streamlip.bench.pytorch;

import io.streamlip.trainer.hf.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code hf_siglip_reference.py}, a plain-torch re-implementation of transformers' {@code
 * SiglipModel} forward under transformers' own parameter names, on a Hugging Face SigLIP folder:
 * the independent check of {@code streamlip model export} and {@code import}. Needs a Python with
 * torch ({@link SystemPytorch}).
 *
 * @param python the interpreter
 * @param threads torch intra-op threads
 */
public record HfSiglipReference(Path python, int threads) {
    private static final String SCRIPT = "/io/streamlip/bench/hf_siglip_reference.py";
    private static final long TIMEOUT_SECONDS = 900;

    /** The reference's outputs for one batch (row-major float32). */
    public record Outputs(float[] imageEmbeds, float[] textEmbeds, float[] logitsPerText) {}

    /**
     * Embeddings and logits of the model in {@code modelDir} for {@code pixels} (B, 3, H, W) and
     * {@code inputIds} (B, S) as transformers takes them (padding already holding the pad id).
     */
    public Outputs forward(Path modelDir, float[] pixels, int imageSize, int[] inputIds, int batch)
            throws IOException {
        Path work = Files.createTempDirectory("streamlip-hf-reference");
        try {
            int context = inputIds.length / batch;
            float[] ids = new float[inputIds.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = inputIds[i]; // exact: ids are far below 2^24
            }
            Path inputs = work.resolve("inputs.safetensors");
            Safetensors.write(
                    inputs,
                    List.of(
                            new Safetensors.Entry(
                                    "pixel_values",
                                    new long[] {batch, 3, imageSize, imageSize},
                                    () -> pixels),
                            new Safetensors.Entry(
                                    "input_ids", new long[] {batch, context}, () -> ids)),
                    Map.of());
            Path outputs = work.resolve("outputs.safetensors");
            run("forward", modelDir.toString(), inputs.toString(), outputs.toString());
            try (Safetensors.Reader r = Safetensors.open(outputs)) {
                return new Outputs(
                        r.read("image_embeds"), r.read("text_embeds"), r.read("logits_per_text"));
            }
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Writes {@code modelDir/model.safetensors} with random weights for {@code
     * modelDir/config.json}, as transformers' {@code SiglipModel} holds them, in {@code dtype}
     * ({@code F32} or {@code BF16}).
     */
    public void init(Path modelDir, long seed, String dtype) throws IOException {
        run("init", modelDir.toString(), Long.toString(seed), dtype);
    }

    private void run(String... args) throws IOException {
        Path script = Files.createTempFile("streamlip-hf-siglip-reference", ".py");
        Path log = Files.createTempFile("streamlip-hf-siglip-reference", ".log");
        try (InputStream s = HfSiglipReference.class.getResourceAsStream(SCRIPT)) {
            if (s == null) {
                throw new IllegalStateException("resource " + SCRIPT + " is missing");
            }
            Files.copy(s, script, StandardCopyOption.REPLACE_EXISTING);
            List<String> command = new ArrayList<>(List.of(python.toString(), script.toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile());
            builder.environment().put("REFERENCE_THREADS", Integer.toString(threads));
            builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
            Process p = builder.start();
            boolean done;
            try {
                done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException("interrupted while running the reference", e);
            }
            if (!done) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "the Hugging Face SigLIP reference timed out after "
                                + TIMEOUT_SECONDS
                                + " s");
            }
            if (p.exitValue() != 0) {
                String output = Files.readString(log, StandardCharsets.UTF_8).strip();
                throw new IllegalStateException(
                        "the Hugging Face SigLIP reference failed (exit "
                                + p.exitValue()
                                + "): "
                                + (output.length() > 2000
                                        ? "..." + output.substring(output.length() - 2000)
                                        : output));
            }
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(log);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
