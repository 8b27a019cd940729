package io.streamlip.bench.pytorch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's PyTorch for the system Python ({@code /usr/bin/python3}): checks that {@code import
 * torch} works and otherwise installs {@code python3-torch} with {@code libopenblas0-openmp} (the
 * OpenMP build of OpenBLAS, so both sides of a comparison use OpenMP threads) through {@code
 * apt-get}. The system interpreter, not one on the PATH: pyenv or virtualenv interpreters cannot
 * import Debian's packages.
 *
 * @param python the interpreter
 * @param packages the Debian packages to install when torch is missing
 */
public record SystemPytorch(Path python, List<String> packages) {
    private static final Logger LOG = LoggerFactory.getLogger(SystemPytorch.class);

    public SystemPytorch {
        packages = List.copyOf(packages);
    }

    /** {@code /usr/bin/python3} with {@code python3-torch} and {@code libopenblas0-openmp}. */
    public static SystemPytorch debian() {
        return new SystemPytorch(
                Path.of("/usr/bin/python3"), List.of("python3-torch", "libopenblas0-openmp"));
    }

    /** Whether {@link #python} imports torch now. */
    public boolean available() {
        if (!Files.isExecutable(python)) {
            return false;
        }
        try {
            return run(List.of(python.toString(), "-c", "import torch"), 120).exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Returns the interpreter once it imports torch, installing the packages first if needed.
     *
     * @throws IllegalStateException with what failed and what to do, when it cannot be installed
     */
    public Path ensureInstalled() throws IOException {
        if (available()) {
            return python;
        }
        Path aptGet = Path.of("/usr/bin/apt-get");
        if (!Files.isExecutable(aptGet)) {
            throw new IllegalStateException(
                    python
                            + " cannot import torch and there is no apt-get to install "
                            + packages
                            + "; install PyTorch for "
                            + python
                            + " by hand");
        }
        LOG.info("{} cannot import torch: installing {} with apt-get", python, packages);
        List<String> install = new ArrayList<>(List.of(aptGet.toString(), "install", "-y", "-q"));
        install.add("--no-install-recommends");
        install.addAll(packages);
        Result first = run(install, 1800);
        if (first.exitCode() != 0) {
            // A fresh container often has no package lists yet.
            LOG.info("apt-get install failed; running apt-get update and trying again");
            run(List.of(aptGet.toString(), "update", "-q"), 600);
            Result second = run(install, 1800);
            if (second.exitCode() != 0) {
                throw new IllegalStateException(
                        "cannot install "
                                + packages
                                + " (apt-get exit "
                                + second.exitCode()
                                + "; root and network access are needed): "
                                + tail(second.output()));
            }
        }
        if (!available()) {
            throw new IllegalStateException(
                    "installed " + packages + " but " + python + " still cannot import torch");
        }
        return python;
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command, long timeoutSeconds) throws IOException {
        Path log = Files.createTempFile("streamlip-apt", ".log");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile());
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = builder.start();
            try {
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, "timed out after " + timeoutSeconds + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException("interrupted while running " + command, e);
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tail(String s) {
        String trimmed = s.strip();
        return trimmed.length() <= 600
                ? trimmed
                : "..." + trimmed.substring(trimmed.length() - 600);
    }
}
