package io.streamlip.trainer.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/gpu/check.sh as a user runs it, against the jar folder this build packaged
 * (trainer/target/gpu-check): the folder's size and contents, the smoke check on this machine's CPU
 * libtorch 2.7.1 (the one DJL unpacked from pytorch-native-cpu, laid out as the LibTorch zip) with
 * an empty DJL cache, printing one JSON object, and every refusal (no Java 17, no folder, no
 * libtorch, a libtorch of another version, CUDA flavour or build).
 */
@Tag("integration")
class GpuCheckScriptIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LIMIT_BYTES = 64L << 20;

    private static Path folder;
    private static Path script;

    @TempDir Path temp;

    @BeforeAll
    static void locate() {
        String dir = System.getProperty("streamlip.gpucheck.dir");
        String sh = System.getProperty("streamlip.gpucheck.script");
        assumeTrue(dir != null && sh != null, "run by failsafe from trainer/pom.xml");
        folder = Path.of(dir);
        script = Path.of(sh);
        assumeTrue(
                Files.isDirectory(folder.resolve("lib")),
                "no " + folder + " (built at package unless -DskipGpuCheckFolder)");
    }

    @Test
    void theFolderIsUnder64MibAndLeavesTheCpuLibtorchOut() throws IOException {
        List<String> jars;
        long total;
        try (Stream<Path> files = Files.list(folder.resolve("lib"))) {
            List<Path> all = files.toList();
            jars = all.stream().map(p -> p.getFileName().toString()).sorted().toList();
            total = 0;
            for (Path p : all) {
                total += Files.size(p);
            }
        }
        assertThat(total).as("bytes in %s: %s", folder, jars).isLessThan(LIMIT_BYTES);
        assertThat(jars)
                .anyMatch(j -> j.startsWith("streamlip-trainer-"))
                .anyMatch(j -> j.startsWith("pytorch-engine-0.36.0"))
                .anyMatch(j -> j.startsWith("pytorch-jni-2.7.1-0.36.0"))
                .anyMatch(j -> j.startsWith("api-0.36.0"))
                .anyMatch(j -> j.startsWith("jna-"))
                .noneMatch(j -> j.startsWith("pytorch-native-"))
                .noneMatch(j -> j.startsWith("opencv-"));
    }

    @Test
    void smokeRunsOnTheCpuLibtorchOfflineAndPrintsOneJsonObject() throws Exception {
        Engine.getEngine("PyTorch"); // unpacks pytorch-native-cpu into DJL_CACHE_DIR if needed
        Path unpacked = Path.of(LibUtils.getLibtorchPath());
        // Laid out as the LibTorch zip (libtorch/build-version, libtorch/lib/*.so), linking the
        // libraries DJL unpacked but not the JNI glue it left beside them (DJL 0.36 takes
        // <djl>-libdjl_torch.so from the libtorch folder first): the glue must come from the jar.
        Path home = temp.resolve("libtorch");
        Path cpuLibtorch = Files.createDirectories(home.resolve("lib"));
        Files.writeString(home.resolve("build-version"), "2.7.1+cpu\n");
        try (Stream<Path> files = Files.list(unpacked)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("lib") && name.contains(".so")) {
                    Files.createSymbolicLink(cpuLibtorch.resolve(name), f);
                }
            }
        }
        assertThat(cpuLibtorch.resolve("libtorch.so")).exists();
        Path cache = temp.resolve("djl-cache");
        Run run =
                run(
                        Map.of(
                                "LIBTORCH_HOME",
                                home.toString(),
                                "STREAMLIP_DJL_CACHE",
                                cache.toString()),
                        "--smoke",
                        "--loss-batch",
                        "1024");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.stdout.strip().lines().count()).as(run.toString()).isEqualTo(1);
        JsonNode out = JSON.readTree(run.stdout);
        assertThat(out.isObject()).isTrue();
        assertThat(out.get("ok").asBoolean()).as(run.toString()).isTrue();
        assertThat(out.get("mode").asText()).isEqualTo("smoke");
        assertThat(out.get("java").asText()).startsWith(System.getProperty("java.version"));
        assertThat(out.get("djl").asText()).isEqualTo("0.36.0");

        JsonNode libtorch = out.get("libtorch");
        assertThat(libtorch.get("version").asText()).isEqualTo("2.7.1");
        assertThat(libtorch.get("flavor").asText()).isEqualTo("cpu");
        assertThat(libtorch.get("found_by").asText()).isEqualTo("LIBTORCH_HOME");
        assertThat(Path.of(libtorch.get("dir").asText()).toRealPath())
                .isEqualTo(cpuLibtorch.toRealPath());
        // DJL took its JNI glue from pytorch-jni into the given cache: no download, no CPU jar.
        assertThat(cache.resolve("pytorch/2.7.1-cpu-linux-x86_64/0.36.0-libdjl_torch.so"))
                .isRegularFile();

        JsonNode device = out.get("device");
        assertThat(device.get("gpu_count").asInt()).isZero();
        assertThat(device.get("used").asText()).isEqualTo("cpu()");

        JsonNode tf32 = out.get("tf32_matmul");
        assertThat(tf32.get("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE").asText()).isEqualTo("1");
        assertThat(tf32.get("observed").isNull()).isTrue();

        JsonNode step = out.get("train_step");
        assertThat(step.get("model").asText()).isEqualTo("tiny");
        assertThat(step.get("dtype").asText()).isEqualTo("float32");
        assertThat(step.get("batch").asInt()).isEqualTo(16);
        assertThat(step.get("step_ms").size()).isEqualTo(step.get("timed").asInt());
        assertThat(step.get("step_ms_median").asDouble()).isPositive();
        assertThat(step.get("examples_per_s").asDouble()).isPositive();
        assertThat(step.get("parameters").asLong()).isGreaterThan(10_000);
        assertThat(step.get("finite").asBoolean()).isTrue();
        assertThat(step.get("peak_memory_mib").asDouble()).isPositive();
        assertThat(step.get("memory_method").asText()).isNotBlank();

        JsonNode loss = out.get("loss_memory");
        assertThat(loss.get("batch").asInt()).isEqualTo(1024);
        assertThat(loss.get("full_logits_mib").asDouble()).isEqualTo(4.0);
        double whole = loss.get("sigmoid").get("peak_mib").asDouble();
        double chunked = loss.get("chunked").get("peak_mib").asDouble();
        assertThat(whole).as(loss.toString()).isGreaterThan(loss.get("full_logits_mib").asDouble());
        assertThat(chunked).as(loss.toString()).isLessThan(whole);
        assertThat(loss.get("loss_abs_difference").asDouble()).isLessThan(1e-3);
        assertThat(out.get("elapsed_s").asDouble()).isPositive();
        assertThat(run.stderr).contains("libtorch 2.7.1 cpu (cxx11 ABI) from LIBTORCH_HOME");
    }

    @Test
    void aLibtorchOfAnotherVersionIsRefusedNamingWhatIsNeeded() throws Exception {
        Run run = run(Map.of("LIBTORCH_HOME", fakeLibtorch("2.5.1+cu124").toString()));
        assertThat(run.exit).as(run.toString()).isEqualTo(3);
        assertThat(run.stderr)
                .contains("it is libtorch 2.5.1, not 2.7.1")
                .contains("Needed: libtorch 2.7.1 for CUDA 12.8")
                .contains("pytorch-jni 2.5.1-0.33.0");
        assertThat(run.stdout).isEmpty();
    }

    @Test
    void aCuda128LibtorchIsTakenAndDjlIsToldWhereItIs() throws Exception {
        Path home = fakeLibtorch("2.7.1+cu128");
        Run run = run(Map.of("LIBTORCH_HOME", home.toString()), "--print-env");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.stdout)
                .contains("PYTORCH_LIBRARY_PATH=" + home.resolve("lib").toRealPath())
                .contains("PYTORCH_VERSION=2.7.1\n")
                .contains("PYTORCH_FLAVOR=cu128\n")
                .contains("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1\n")
                .contains("io.streamlip.trainer.device.GpuCheck");
        Run noTf32 = run(Map.of("LIBTORCH_HOME", home.toString()), "--print-env", "--no-tf32");
        assertThat(noTf32.stdout).contains("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=0\n");
    }

    @Test
    void anotherCudaFlavourIsRefusedUnlessTheCu128GlueIsAskedFor() throws Exception {
        Path home = fakeLibtorch("2.7.1+cu126");
        Run refused = run(Map.of("LIBTORCH_HOME", home.toString()));
        assertThat(refused.exit).as(refused.toString()).isEqualTo(3);
        assertThat(refused.stderr).contains("built for cu126").contains("cu128");
        Run forced =
                run(
                        Map.of("LIBTORCH_HOME", home.toString(), "STREAMLIP_JNI_FLAVOR", "cu128"),
                        "--print-env");
        assertThat(forced.exit).as(forced.toString()).isZero();
        assertThat(forced.stdout).contains("PYTORCH_FLAVOR=cu128\n");
        assertThat(forced.stderr).contains("unverified");
    }

    @Test
    void aCpuLibtorchIsRefusedForTheFullCheck() throws Exception {
        Run run = run(Map.of("LIBTORCH_HOME", fakeLibtorch("2.7.1+cpu").toString()));
        assertThat(run.exit).as(run.toString()).isEqualTo(3);
        assertThat(run.stderr).contains("CPU build").contains("--smoke");
    }

    @Test
    void noLibtorchAnywhereIsRefused() throws Exception {
        Run run = run(Map.of("PYTHON", temp.resolve("no-python").toString()));
        assertThat(run.exit).as(run.toString()).isEqualTo(3);
        assertThat(run.stderr).contains("no libtorch found").contains("Needed: libtorch 2.7.1");
        Path empty = Files.createDirectories(temp.resolve("empty"));
        Run emptyHome = run(Map.of("LIBTORCH_HOME", empty.toString()));
        assertThat(emptyHome.exit).isEqualTo(3);
        assertThat(emptyHome.stderr).contains("holds no libtorch.so");
    }

    @Test
    void thePythonTorchOfThisMachineIsReadAndRefusedWhenNot271() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "no /usr/bin/python3");
        Process probe =
                new ProcessBuilder(
                                python.toString(), "-c", "import torch; print(torch.__version__)")
                        .redirectErrorStream(true)
                        .start();
        String version = new String(probe.getInputStream().readAllBytes()).strip();
        assumeTrue(probe.waitFor() == 0, "no torch in /usr/bin/python3");
        assumeTrue(!version.startsWith("2.7.1"), "python3 has torch 2.7.1: nothing to refuse");
        Run run = run(Map.of("PYTHON", python.toString()));
        assertThat(run.exit).as(run.toString()).isEqualTo(3);
        assertThat(run.stderr)
                .contains("python (" + python + ")")
                .contains("it is libtorch " + version.replaceAll("\\+.*", ""));
    }

    @Test
    void javaOlderThan17IsRefused() throws Exception {
        Path java = temp.resolve("java");
        Files.writeString(
                java,
                "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n",
                StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run run = run(Map.of("JAVA", java.toString()), "--smoke");
        assertThat(run.exit).as(run.toString()).isEqualTo(3);
        assertThat(run.stderr).contains("Java 11.0.22").contains("Java 17 is needed");
        Run missing = run(Map.of("JAVA", temp.resolve("nojava").toString()));
        assertThat(missing.exit).isEqualTo(3);
        assertThat(missing.stderr).contains("no Java found");
    }

    @Test
    void aMissingJarFolderIsRefusedWithTheCommandThatBuildsIt() throws Exception {
        Run run = run(Map.of("STREAMLIP_GPU_LIB", temp.resolve("nothing").toString()));
        assertThat(run.exit).as(run.toString()).isEqualTo(3);
        assertThat(run.stderr).contains("./mvnw -B -pl trainer -am package -DskipTests");
    }

    /** A libtorch folder as the LibTorch zip lays it out, with empty libraries. */
    private Path fakeLibtorch(String buildVersion) throws IOException {
        Path home = temp.resolve("libtorch-" + buildVersion.replace('+', '-'));
        Files.createDirectories(home.resolve("lib"));
        Files.writeString(home.resolve("build-version"), buildVersion + "\n");
        Files.createFile(home.resolve("lib/libtorch.so"));
        if (!buildVersion.endsWith("cpu")) {
            Files.createFile(home.resolve("lib/libtorch_cuda.so"));
        }
        return home;
    }

    private record Run(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    /**
     * Runs the script with this JVM's Java, the packaged folder and nothing of the caller's
     * libtorch settings, plus {@code env}.
     */
    private Run run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> e = pb.environment();
        for (String name :
                List.of(
                        "LIBTORCH_HOME",
                        "PYTORCH_LIBRARY_PATH",
                        "PYTORCH_VERSION",
                        "PYTORCH_FLAVOR",
                        "JAVA_HOME",
                        "STREAMLIP_JNI_FLAVOR",
                        "TORCH_ALLOW_TF32_CUBLAS_OVERRIDE")) {
            e.remove(name);
        }
        e.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        e.put("STREAMLIP_GPU_LIB", folder.resolve("lib").toString());
        e.put("STREAMLIP_DJL_CACHE", temp.resolve("cache").toString());
        e.put("PYTHON", temp.resolve("no-python").toString());
        e.put("LIBTORCH_SEARCH_PATH", "");
        e.putAll(env);
        Process p = pb.start();
        CompletableFuture<String> err =
                CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertThat(p.waitFor(8, TimeUnit.MINUTES)).as("check.sh finished").isTrue();
        return new Run(p.exitValue(), out, err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
