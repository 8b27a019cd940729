package io.streamlip.trainer.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.commons.io.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of checkpoints, {@code step-NNNNNNNN/}, each holding the model parameters, the optimizer
 * state, {@code state.json}, {@code manifest.json} and, for a subword tokenizer, a copy of its
 * {@code tokenizer.json} ({@link #tokenizer}).
 *
 * <p>Durable across power loss: a checkpoint is written into a temporary folder beside the others,
 * every file and the folder are forced to disk, then it is renamed into place atomically and the
 * store's folder is forced too, so a checkpoint that has its name is complete on disk. The
 * manifest, written last before the rename, lists every other file with its size and CRC-32C, so
 * {@link #verify} finds a file cut short or damaged before anything parses it.
 *
 * <p>Retention: the newest {@code max(keep, 2)} checkpoints are kept, and only once the new one's
 * rename is durable, so the checkpoint before the newest is always there to fall back on.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

    public static final String STATE_FILE = "state.json";

    /** File names, sizes and CRC-32C of every other file of a checkpoint; written last. */
    public static final String MANIFEST_FILE = "manifest.json";

    /** What a checkpoint that failed to load is renamed to: {@code step-NNNNNNNN.corrupt-<ms>}. */
    static final String CORRUPT_SUFFIX = ".corrupt-";

    private static final Pattern NAME = Pattern.compile("step-(\\d+)");
    private static final String TEMP_PREFIX = ".tmp-";
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;
    private final int keep;

    /** Writes the files of a checkpoint (everything but {@code state.json}) into a folder. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(Path folder) throws IOException;
    }

    /** Raised by {@link #verify} when a checkpoint is incomplete or damaged. */
    public static final class CorruptCheckpointException extends IOException {
        private static final long serialVersionUID = 1L;

        public CorruptCheckpointException(String message) {
            super(message);
        }

        public CorruptCheckpointException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The manifest of a checkpoint.
     *
     * @param files every file of the checkpoint but the manifest, by path relative to its folder
     */
    public record Manifest(List<Entry> files) {
        public Manifest {
            files = files == null ? List.of() : List.copyOf(files);
        }

        /**
         * @param crc32c CRC-32C of the file's bytes, as 8 lower-case hex digits
         */
        public record Entry(String path, long size, String crc32c) {}
    }

    public CheckpointStore(Path root, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1, got " + keep);
        }
        this.root = root;
        this.keep = keep;
    }

    public Path root() {
        return root;
    }

    /** The folder name of the checkpoint of {@code step}. */
    public static String folderName(long step) {
        return String.format("step-%08d", step);
    }

    /**
     * Writes a checkpoint durably: {@code contents}, {@code state.json} and the manifest into a
     * temporary folder, each file and the folder forced to disk, then one rename, then the store's
     * folder forced. Then removes checkpoints beyond the newest {@code max(keep, 2)}.
     *
     * @return the checkpoint's folder
     */
    public Path write(TrainingState state, Contents contents) throws IOException {
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root);
            forceDirectory(root.toAbsolutePath().getParent()); // the store's own entry
        }
        Path target = root.resolve(folderName(state.step()));
        Path temp = root.resolve(TEMP_PREFIX + folderName(state.step()) + "-" + UUID.randomUUID());
        Path replaced = null;
        Files.createDirectory(temp);
        try {
            contents.writeTo(temp);
            JSON.writeValue(temp.resolve(STATE_FILE).toFile(), state);
            JSON.writeValue(temp.resolve(MANIFEST_FILE).toFile(), manifestOf(temp));
            forceTree(temp);
            forceDirectory(root); // the temporary folder's own entry
            if (Files.exists(target)) {
                // Same step written again: the newer write wins. Set the old one aside under a
                // temporary name (removed on restart if we crash before deleting it).
                replaced =
                        root.resolve(
                                TEMP_PREFIX
                                        + "replaced-"
                                        + target.getFileName()
                                        + "-"
                                        + UUID.randomUUID());
                Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(root);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(temp);
            if (replaced != null && !Files.exists(target)) {
                Files.move(replaced, target, StandardCopyOption.ATOMIC_MOVE); // put it back
            }
            throw e;
        }
        if (replaced != null) {
            deleteRecursively(replaced);
        }
        prune();
        return target;
    }

    /**
     * Checks that {@code checkpoint} is complete and undamaged: {@code state.json} parses, and
     * every file its manifest lists has the listed size and CRC-32C. A checkpoint written before
     * manifests existed is checked by its {@code state.json} alone.
     *
     * @return its state
     * @throws CorruptCheckpointException naming the first problem found
     */
    public static TrainingState verify(Path checkpoint) throws CorruptCheckpointException {
        Path manifestFile = checkpoint.resolve(MANIFEST_FILE);
        if (Files.exists(manifestFile)) {
            Manifest manifest;
            try {
                manifest = JSON.readValue(manifestFile.toFile(), Manifest.class);
            } catch (IOException e) {
                throw new CorruptCheckpointException(
                        "unreadable " + MANIFEST_FILE + ": " + e.getMessage(), e);
            }
            if (manifest.files().stream().noneMatch(f -> f.path().equals(STATE_FILE))) {
                throw new CorruptCheckpointException(
                        MANIFEST_FILE + " does not list " + STATE_FILE);
            }
            for (Manifest.Entry entry : manifest.files()) {
                Path file = checkpoint.resolve(entry.path()).normalize();
                if (!file.startsWith(checkpoint.normalize())) {
                    throw new CorruptCheckpointException(
                            MANIFEST_FILE
                                    + " names a file outside the checkpoint: "
                                    + entry.path());
                }
                Manifest.Entry actual;
                try {
                    actual = entryOf(checkpoint, file);
                } catch (NoSuchFileException e) {
                    throw new CorruptCheckpointException(entry.path() + " is missing", e);
                } catch (IOException e) {
                    throw new CorruptCheckpointException(
                            "cannot read " + entry.path() + ": " + e, e);
                }
                if (actual.size() != entry.size()) {
                    throw new CorruptCheckpointException(
                            entry.path()
                                    + " has "
                                    + actual.size()
                                    + " bytes, the manifest says "
                                    + entry.size());
                }
                if (!actual.crc32c().equals(entry.crc32c())) {
                    throw new CorruptCheckpointException(
                            entry.path()
                                    + " has CRC-32C "
                                    + actual.crc32c()
                                    + ", the manifest says "
                                    + entry.crc32c());
                }
            }
        }
        try {
            return readStateFile(checkpoint.resolve(STATE_FILE));
        } catch (IOException e) {
            throw new CorruptCheckpointException(
                    "unreadable " + STATE_FILE + ": " + e.getMessage(), e);
        }
    }

    /**
     * Renames a checkpoint that failed to load to {@code step-NNNNNNNN.corrupt-<epoch ms>}, so it
     * is neither resumed from nor counted nor pruned, and stays for an operator to inspect.
     *
     * @return its new path
     */
    public Path setAside(Path checkpoint) throws IOException {
        Path aside =
                checkpoint.resolveSibling(
                        checkpoint.getFileName() + CORRUPT_SUFFIX + System.currentTimeMillis());
        Files.move(checkpoint, aside, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(checkpoint.getParent());
        return aside;
    }

    /**
     * The newest checkpoint that passes {@link #verify}, if any; each newer one that does not is
     * logged and skipped (left in place: this only reads).
     */
    public Optional<Path> newestValid() {
        List<Path> all = checkpoints();
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                verify(all.get(i));
                return Optional.of(all.get(i));
            } catch (CorruptCheckpointException e) {
                LOG.warn("skipping damaged checkpoint {}: {}", all.get(i), e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() {
        List<Path> all = checkpoints();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> checkpoints() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> children = Files.list(root)) {
            children.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
                    .forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
        out.sort(Comparator.comparingLong(CheckpointStore::stepOf));
        return out;
    }

    /** Removes temporary folders a crashed run left behind. */
    public void removeIncomplete() {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> children = Files.list(root)) {
            children.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX))
                    .forEach(
                            p -> {
                                LOG.info("removing incomplete checkpoint {}", p);
                                deleteRecursively(p);
                            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
    }

    /**
     * Reads a checkpoint's {@code state.json}. {@code checkpoint} may also be a store folder: its
     * newest checkpoint is read then.
     */
    public static TrainingState readState(Path checkpoint) {
        Path file = resolve(checkpoint).resolve(STATE_FILE);
        try {
            return readStateFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint state " + file, e);
        }
    }

    private static TrainingState readStateFile(Path file) throws IOException {
        TrainingState state = JSON.readValue(file.toFile(), TrainingState.class);
        if (state == null) { // a file of whitespace, or the JSON null
            throw new IOException(file + " holds no state");
        }
        return state;
    }

    /**
     * The tokenizer a checkpoint (or the newest in a folder of them) was trained with, rebuilt from
     * the checkpoint alone: the version its {@code state.json} names and the copy of the {@code
     * tokenizer.json} the trainer put beside it; encodings are cut to the model's context length.
     *
     * @throws IllegalArgumentException when the checkpoint does not hold its tokenizer
     */
    public static CaptionTokenizer tokenizer(Path checkpoint) {
        Path resolved = resolve(checkpoint);
        TrainingState state = readState(resolved);
        return Tokenizers.fromFolder(
                resolved, state.tokenizerVersion(), state.model().contextLength());
    }

    /**
     * {@code path} itself when it is a checkpoint, else the newest checkpoint inside it that passes
     * {@link #verify} (damaged newer ones are logged and skipped).
     *
     * @throws IllegalArgumentException when neither
     */
    public static Path resolve(Path path) {
        if (Files.isRegularFile(path.resolve(STATE_FILE))) {
            return path;
        }
        return new CheckpointStore(path, 1)
                .newestValid()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        path
                                                + " is neither a checkpoint (no "
                                                + STATE_FILE
                                                + ") nor a folder holding an undamaged"
                                                + " checkpoint"));
    }

    /** Keeps the newest {@code max(keep, 2)}: the new checkpoint and at least its predecessor. */
    private void prune() {
        List<Path> all = checkpoints();
        for (int i = 0; i < all.size() - Math.max(keep, 2); i++) {
            deleteRecursively(all.get(i));
        }
    }

    private static Manifest manifestOf(Path folder) throws IOException {
        List<Manifest.Entry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                if (Files.isRegularFile(file)
                        && !file.getFileName().toString().equals(MANIFEST_FILE)) {
                    entries.add(entryOf(folder, file));
                }
            }
        }
        return new Manifest(entries);
    }

    private static Manifest.Entry entryOf(Path folder, Path file) throws IOException {
        CRC32C crc = new CRC32C();
        long size = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
                size += n;
            }
        }
        String relative = folder.relativize(file).toString().replace('\\', '/');
        return new Manifest.Entry(relative, size, String.format("%08x", crc.getValue()));
    }

    /** Forces every file under {@code folder}, then every folder, deepest first, to disk. */
    private static void forceTree(Path folder) throws IOException {
        List<Path> all;
        try (Stream<Path> paths = Files.walk(folder)) {
            all = new ArrayList<>(paths.toList());
        }
        Collections.reverse(all); // children before their folder
        for (Path p : all) {
            if (Files.isRegularFile(p)) {
                try (FileChannel channel = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            } else if (Files.isDirectory(p)) {
                forceDirectory(p);
            }
        }
    }

    /**
     * Forces a folder's entries (creations, renames) to disk. Linux allows fsync on a folder opened
     * for reading; platforms that refuse it (Windows) have nothing to force that way.
     */
    static void forceDirectory(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
                throw e;
            }
        }
    }

    private static long stepOf(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static void deleteRecursively(Path dir) {
        if (!FileUtils.deleteQuietly(dir.toFile()) && Files.exists(dir)) {
            LOG.warn("could not delete {}", dir);
        }
    }
}
