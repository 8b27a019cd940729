package io.streamlip.sinks.shards;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Names of the shards in one folder: {@code <prefix>-000000.<ext>} once complete, {@code
 * .<prefix>-000000.<ext>.inprogress} while being written. The leading dot hides unfinished shards
 * from readers that glob {@code <prefix>-*.<ext>} (WebDataset, open_clip, {@code ls}); a shard gets
 * its final name in one atomic rename once it is complete.
 *
 * @param prefix the shard name's start; must not contain {@code /} or a dot (WebDataset reads the
 *     part of a member's name before its first dot as the sample key, and some tools do the same
 *     with shard names)
 * @param extension the format's extension without the dot
 */
public record ShardNames(String prefix, String extension) implements Serializable {
    private static final String TEMP_SUFFIX = ".inprogress";

    public ShardNames {
        if (prefix == null || prefix.isEmpty() || !prefix.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException(
                    "shard prefix must be letters, digits, '_' or '-', got '" + prefix + "'");
        }
        if (extension == null || !extension.matches("[a-z0-9]+")) {
            throw new IllegalArgumentException("bad extension '" + extension + "'");
        }
    }

    /** The complete shard's name, e.g. {@code part-000042.tar}. */
    public String finalName(long number) {
        return String.format("%s-%06d.%s", prefix, number, extension);
    }

    /** The unfinished shard's name, e.g. {@code .part-000042.tar.inprogress}. */
    public String tempName(long number) {
        return "." + finalName(number) + TEMP_SUFFIX;
    }

    /**
     * The highest shard number in {@code folder}, complete or unfinished, or -1: new shards are
     * numbered above it, so writing into a folder never replaces a shard another run wrote.
     */
    public long highestNumber(Path folder) {
        if (!Files.isDirectory(folder)) {
            return -1;
        }
        Pattern name =
                Pattern.compile(
                        "\\.?"
                                + Pattern.quote(prefix)
                                + "-(\\d{6,})\\."
                                + Pattern.quote(extension)
                                + "("
                                + Pattern.quote(TEMP_SUFFIX)
                                + ")?");
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> name.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToLong(m -> Long.parseLong(m.group(1)))
                    .max()
                    .orElse(-1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }
}
