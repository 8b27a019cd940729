package io.streamlip.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JVM started as its own operating-system process, its stdout and stderr going to a log file.
 * What the cluster launchers are made of: a JobManager, a TaskManager, a Kafka broker, a trainer.
 *
 * <p>{@link #stop} is a graceful stop (SIGTERM: the JVM runs its shutdown hooks), {@link #kill} is
 * a crash (SIGKILL: nothing runs), the way a machine or container dies.
 */
public final class JavaProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JavaProcess.class);

    private final String name;
    private final Process process;
    private final Path logFile;

    private JavaProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    /** The {@code java} of the running JVM, so every child runs on the same Java. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The full command line of a Java process. */
    public static List<String> command(
            List<String> jvmArgs, String classpath, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * Starts {@code command} (see {@link #command}) with stdout and stderr appended to {@code
     * logFile}.
     *
     * @param environment variables added to this JVM's environment
     */
    public static JavaProcess start(
            String name, List<String> command, Path logFile, Map<String, String> environment) {
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            builder.redirectErrorStream(true);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            Process process = builder.start();
            LOG.info("started {} (pid {}, log {})", name, process.pid(), logFile);
            return new JavaProcess(name, process, logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command.get(0), e);
        }
    }

    /**
     * Runs {@code command} to its end and returns its output (stdout and stderr together).
     *
     * @throws IllegalStateException when it exits with a non-zero code or takes longer than {@code
     *     timeout}; the message holds the output
     */
    public static String run(String name, List<String> command, Duration timeout) {
        try {
            Path output = Files.createTempFile("streamlip-" + name + "-", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command);
                builder.redirectErrorStream(true);
                builder.redirectOutput(output.toFile());
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new IllegalStateException(
                            name + " did not finish within " + timeout + ": " + read(output));
                }
                String text = read(output);
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(
                            name + " failed (exit " + process.exitValue() + "): " + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + name, e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** The exit code once the process has ended. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still running after " + timeout);
        }
        return process.exitValue();
    }

    /** SIGKILL, like a crashed machine: no shutdown hook runs. Waits until the process is gone. */
    public void kill() {
        if (process.isAlive()) {
            process.destroyForcibly();
            LOG.info("killed {} (pid {})", name, process.pid());
        }
        awaitExit(Duration.ofSeconds(30));
    }

    /**
     * SIGTERM, then SIGKILL when the process has not ended within {@code grace}. Returns once it
     * has ended.
     */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} (pid {}) did not stop within {}: killing it", name, pid(), grace);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        awaitExit(Duration.ofSeconds(30));
        LOG.info("stopped {} (pid {})", name, process.pid());
    }

    private void awaitExit(Duration timeout) {
        try {
            process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A graceful stop with 30 s of grace. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ")";
    }
}
