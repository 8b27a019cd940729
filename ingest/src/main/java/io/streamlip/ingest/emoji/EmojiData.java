package io.streamlip.ingest.emoji;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.commons.io.file.PathUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emoji x CLDR corpus on disk: the six npm tarballs it is made of (four vendors' emoji images
 * and the CLDR names and derived names), in one data folder, fetched with {@code npm pack} when
 * missing. The versions live here and nowhere else.
 *
 * <p>The tarballs are read in place ({@link EmojiCorpus}, {@link EmojiEvalSet}); nothing is
 * extracted. They are public (MIT and Unicode licence) but large (62-103 MB per vendor tarball of
 * 16.0.0): fetch them at set-up time, never commit them.
 */
public final class EmojiData {
    private static final Logger LOG = LoggerFactory.getLogger(EmojiData.class);

    /** Version of the {@code emoji-datasource-<vendor>} packages. */
    public static final String EMOJI_DATASOURCE_VERSION = "16.0.0";

    /** Version of {@code cldr-annotations-full} and {@code cldr-annotations-derived-full}. */
    public static final String CLDR_ANNOTATIONS_VERSION = "48.2.0";

    /** Every vendor there is a package for. */
    public static final List<String> VENDORS = List.of("google", "apple", "facebook", "twitter");

    /** The vendor whose images are the held-out evaluation style, never trained on. */
    public static final String HELD_OUT_VENDOR = "twitter";

    /** The vendors a training import may use: all but {@link #HELD_OUT_VENDOR}. */
    public static final List<String> TRAINING_VENDORS = List.of("google", "apple", "facebook");

    /** The CLDR names of emoji ({@code annotations/<locale>/annotations.json}). */
    public static final NpmPackage CLDR_ANNOTATIONS =
            new NpmPackage("cldr-annotations-full", CLDR_ANNOTATIONS_VERSION);

    /** The CLDR names of emoji sequences, skin tones included ({@code annotationsDerived/...}). */
    public static final NpmPackage CLDR_ANNOTATIONS_DERIVED =
            new NpmPackage("cldr-annotations-derived-full", CLDR_ANNOTATIONS_VERSION);

    /**
     * One npm package.
     *
     * @param name package name, e.g. {@code emoji-datasource-google}
     * @param version exact version
     */
    public record NpmPackage(String name, String version) {
        /** What {@code npm pack} takes: {@code name@version}. */
        public String spec() {
            return name + "@" + version;
        }

        /** The file {@code npm pack} writes: {@code name-version.tgz}. */
        public String tarballName() {
            return name + "-" + version + ".tgz";
        }
    }

    /**
     * Where the tarballs live and how to fetch them.
     *
     * @param folder the data folder holding the tarballs (created on fetch)
     * @param npmCommand the npm executable (default {@code npm}, found on the PATH)
     * @param timeout how long one {@code npm pack} may take (default 10 minutes)
     */
    public record Config(Path folder, String npmCommand, Duration timeout) {
        public Config {
            Objects.requireNonNull(folder, "folder");
            Objects.requireNonNull(npmCommand, "npmCommand");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
        }

        /** {@code npm} from the PATH, 10 minutes per package. */
        public static Config defaults(Path folder) {
            return builder().folder(folder).build();
        }

        /** A builder starting from the defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** A builder starting from this configuration. */
        public Builder toBuilder() {
            return new Builder(this);
        }

        /**
         * Builds {@link Config}; each setting starts at its default and is named as its component;
         * {@code folder} has none and must be set.
         */
        public static final class Builder {
            private Path folder;
            private String npmCommand = "npm";
            private Duration timeout = Duration.ofMinutes(10);

            private Builder() {}

            private Builder(Config c) {
                folder = c.folder;
                npmCommand = c.npmCommand;
                timeout = c.timeout;
            }

            public Builder folder(Path value) {
                folder = value;
                return this;
            }

            public Builder npmCommand(String value) {
                npmCommand = value;
                return this;
            }

            public Builder timeout(Duration value) {
                timeout = value;
                return this;
            }

            /** The configuration; the record's constructor checks it. */
            public Config build() {
                return new Config(folder, npmCommand, timeout);
            }
        }
    }

    private final Config config;

    public EmojiData(Config config) {
        this.config = config;
    }

    /** The data in {@code folder}, fetched with {@code npm} from the PATH. */
    public static EmojiData at(Path folder) {
        return new EmojiData(Config.defaults(folder));
    }

    public Path folder() {
        return config.folder();
    }

    /** The package of {@code vendor}'s images: {@code emoji-datasource-<vendor>}. */
    public static NpmPackage vendorPackage(String vendor) {
        if (!VENDORS.contains(vendor)) {
            throw new IllegalArgumentException(
                    "unknown emoji vendor '" + vendor + "'; there are " + VENDORS);
        }
        return new NpmPackage("emoji-datasource-" + vendor, EMOJI_DATASOURCE_VERSION);
    }

    /** All six packages: the four vendors, then the two CLDR packages. */
    public static List<NpmPackage> packages() {
        List<NpmPackage> all = new ArrayList<>();
        VENDORS.forEach(v -> all.add(vendorPackage(v)));
        all.add(CLDR_ANNOTATIONS);
        all.add(CLDR_ANNOTATIONS_DERIVED);
        return List.copyOf(all);
    }

    /** Where {@code pkg}'s tarball is (or will be) in the data folder. */
    public Path tarball(NpmPackage pkg) {
        return config.folder().resolve(pkg.tarballName());
    }

    /** {@code pkg}'s tarball, or an error that says how to fetch it. */
    public Path require(NpmPackage pkg) {
        Path path = tarball(pkg);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(
                    "the emoji corpus needs "
                            + path
                            + ", which is missing. Fetch it with EmojiData.ensure() (needs npm),"
                            + " or by hand:\n"
                            + howToFetch(List.of(pkg)));
        }
        return path;
    }

    /** The packages whose tarballs are not in the data folder yet. */
    public List<NpmPackage> missing() {
        return packages().stream().filter(p -> !Files.isRegularFile(tarball(p))).toList();
    }

    /**
     * Makes sure all six tarballs are in the data folder, running {@code npm pack NAME@VERSION} for
     * each missing one (its output goes to the log). A tarball is moved into place only once npm
     * has finished writing it, so an interrupted fetch leaves no partial file behind.
     *
     * @return this
     * @throws IllegalStateException when npm is not installed, fails or times out; the message says
     *     what to install and what to run by hand
     */
    public EmojiData ensure() {
        List<NpmPackage> missing = missing();
        if (missing.isEmpty()) {
            LOG.debug("emoji corpus complete in {}", config.folder());
            return this;
        }
        LOG.info(
                "fetching {} of the emoji corpus packages into {} with {} pack",
                missing.size(),
                config.folder(),
                config.npmCommand());
        try {
            Files.createDirectories(config.folder());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data folder " + config.folder(), e);
        }
        for (int i = 0; i < missing.size(); i++) {
            fetch(missing.get(i), missing.subList(i, missing.size()));
        }
        return this;
    }

    private void fetch(NpmPackage pkg, List<NpmPackage> stillMissing) {
        Path work;
        try {
            work = Files.createTempDirectory(config.folder(), ".npm-pack-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to data folder " + config.folder(), e);
        }
        try {
            runNpmPack(pkg, work, stillMissing);
            Path packed = work.resolve(pkg.tarballName());
            if (!Files.isRegularFile(packed)) {
                throw new IllegalStateException(
                        config.npmCommand()
                                + " pack "
                                + pkg.spec()
                                + " succeeded but wrote no "
                                + pkg.tarballName()
                                + ". Fetch the packages by hand:\n"
                                + howToFetch(stillMissing));
            }
            Files.move(packed, tarball(pkg), StandardCopyOption.ATOMIC_MOVE);
            LOG.info("fetched {} ({} bytes)", tarball(pkg), Files.size(tarball(pkg)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + pkg.tarballName(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    private void runNpmPack(NpmPackage pkg, Path work, List<NpmPackage> stillMissing)
            throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(config.npmCommand(), "pack", pkg.spec())
                        .directory(work.toFile())
                        .redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run '"
                            + config.npmCommand()
                            + "' ("
                            + e.getMessage()
                            + "). The emoji corpus is fetched with npm: install Node.js with npm"
                            + " (Debian/Ubuntu: apt-get install npm; or https://nodejs.org),"
                            + " or fetch the packages by hand:\n"
                            + howToFetch(stillMissing),
                    e);
        }
        Deque<String> tail = new ArrayDeque<>();
        Thread pump = new Thread(() -> logOutput(process, tail), "npm-pack-output");
        pump.setDaemon(true);
        pump.start();
        boolean finished;
        try {
            finished = process.waitFor(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            pump.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching " + pkg.spec(), e);
        }
        if (!finished) {
            throw new IllegalStateException(
                    config.npmCommand()
                            + " pack "
                            + pkg.spec()
                            + " did not finish within "
                            + config.timeout()
                            + " (no network access to the npm registry?). Fetch the packages by"
                            + " hand:\n"
                            + howToFetch(stillMissing));
        }
        if (process.exitValue() != 0) {
            String output;
            synchronized (tail) {
                output = String.join("\n", tail);
            }
            throw new IllegalStateException(
                    config.npmCommand()
                            + " pack "
                            + pkg.spec()
                            + " failed with exit code "
                            + process.exitValue()
                            + ":\n"
                            + output
                            + "\nFetch the packages by hand:\n"
                            + howToFetch(stillMissing));
        }
    }

    private static void logOutput(Process process, Deque<String> tail) {
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                // npm lists every file of every tarball: kept for an error message, not logged.
                LOG.debug("npm: {}", line);
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > 20) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("npm output ended: {}", e.getMessage());
        }
    }

    private String howToFetch(List<NpmPackage> packages) {
        return "  cd "
                + config.folder().toAbsolutePath()
                + "\n"
                + packages.stream()
                        .map(p -> "  npm pack " + p.spec())
                        .collect(Collectors.joining("\n"));
    }

    private static void deleteQuietly(Path dir) {
        try {
            PathUtils.deleteDirectory(dir);
        } catch (IOException e) {
            LOG.warn("cannot clean up {}: {}", dir, e.getMessage());
        }
    }
}
