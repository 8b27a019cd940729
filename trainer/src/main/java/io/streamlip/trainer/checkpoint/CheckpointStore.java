package io.streamlip.trainer.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of checkpoints, {@code step-NNNNNNNN/}, each holding the model parameters, the optimizer
 * state, {@code state.json} and, for a subword tokenizer, a copy of its {@code tokenizer.json}
 * ({@link #tokenizer}).
 *
 * <p>A checkpoint is written into a temporary folder beside the others and then renamed into place
 * atomically, so a crash mid-write never leaves a half checkpoint that looks complete; the newest
 * complete one wins on restart. Only the newest {@code keep} are kept.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

    public static final String STATE_FILE = "state.json";
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
     * Writes a checkpoint atomically: {@code contents}, then {@code state.json}, into a temporary
     * folder, then one rename. Removes checkpoints beyond the newest {@code keep}.
     *
     * @return the checkpoint's folder
     */
    public Path write(TrainingState state, Contents contents) throws IOException {
        Files.createDirectories(root);
        Path target = root.resolve(folderName(state.step()));
        Path temp = root.resolve(TEMP_PREFIX + folderName(state.step()) + "-" + UUID.randomUUID());
        Files.createDirectory(temp);
        try {
            contents.writeTo(temp);
            JSON.writeValue(temp.resolve(STATE_FILE).toFile(), state);
            if (Files.exists(target)) {
                deleteRecursively(target); // same step written again: the newer write wins
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(temp);
            throw e;
        }
        prune();
        return target;
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
            return JSON.readValue(file.toFile(), TrainingState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint state " + file, e);
        }
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
     * {@code path} itself when it is a checkpoint, else the newest checkpoint inside it.
     *
     * @throws IllegalArgumentException when neither
     */
    public static Path resolve(Path path) {
        if (Files.isRegularFile(path.resolve(STATE_FILE))) {
            return path;
        }
        return new CheckpointStore(path, 1)
                .latest()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        path
                                                + " is neither a checkpoint (no "
                                                + STATE_FILE
                                                + ") nor a folder of checkpoints"));
    }

    private void prune() {
        List<Path> all = checkpoints();
        for (int i = 0; i < all.size() - keep; i++) {
            deleteRecursively(all.get(i));
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
