package io.streamlip.monitor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's Chromium, headless, for page tests: found at /usr/bin/chromium (or on the PATH), else
 * installed with {@code apt-get install -y chromium} when running as root. {@link #find()} returns
 * null, with the reason in {@link #whyMissing()}, only where neither works.
 */
final class HeadlessChromium {
    private static final Logger LOG = LoggerFactory.getLogger(HeadlessChromium.class);
    private static final List<Path> CANDIDATES =
            List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser"));
    private static String whyMissing = "not looked for yet";

    private HeadlessChromium() {}

    static synchronized Path find() {
        for (Path p : CANDIDATES) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            whyMissing =
                    "no /usr/bin/chromium and not root, so it cannot be installed"
                            + " (apt-get install -y chromium)";
            return null;
        }
        LOG.info("installing Debian's chromium for the dashboard test (apt-get)");
        run(List.of("apt-get", "update", "-qq"), 300);
        int rc = run(List.of("apt-get", "install", "-y", "-qq", "chromium"), 600);
        for (Path p : CANDIDATES) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        whyMissing = "apt-get install -y chromium failed (exit " + rc + ")";
        return null;
    }

    static String whyMissing() {
        return whyMissing;
    }

    /**
     * Loads {@code url}, lets the page run for {@code virtualMillis} of virtual time (its timers
     * and polls), and returns the DOM as it then is.
     */
    static String dumpDom(Path chromium, String url, int virtualMillis, Path profile)
            throws IOException, InterruptedException {
        return run(chromium, url, virtualMillis, profile, "--dump-dom");
    }

    /** Saves a PNG of the page after {@code virtualMillis} (for looking at it by hand). */
    static void screenshot(Path chromium, String url, int virtualMillis, Path profile, Path png)
            throws IOException, InterruptedException {
        run(
                chromium,
                url,
                virtualMillis,
                profile,
                "--window-size=1400,1300",
                "--screenshot=" + png.toAbsolutePath());
    }

    private static String run(
            Path chromium, String url, int virtualMillis, Path profile, String... what)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("dom-", ".html");
        Path err = Files.createTempFile("chromium-", ".log");
        try {
            List<String> command =
                    new java.util.ArrayList<>(
                            List.of(
                                    chromium.toString(),
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--disable-dev-shm-usage",
                                    "--disable-quic",
                                    "--no-first-run",
                                    "--disable-background-networking",
                                    "--disable-component-update",
                                    "--disable-sync",
                                    "--user-data-dir=" + profile,
                                    "--virtual-time-budget=" + virtualMillis));
            command.addAll(List.of(what));
            command.add(url);
            Process p =
                    new ProcessBuilder(command)
                            .redirectOutput(out.toFile())
                            .redirectError(err.toFile())
                            .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("chromium did not finish within 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        "chromium exited "
                                + p.exitValue()
                                + ": "
                                + Files.readString(err, StandardCharsets.UTF_8));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static int run(List<String> command, int seconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
