package io.streamlip.filter.blocklist;

import io.streamlip.filter.config.BlocklistConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the blocklist files, UTF-8, one entry a line; blank lines and lines starting with {@code #}
 * are skipped. A caption-terms file holds one term a line ({@link CaptionTerms} says how they
 * match); an image-hash file holds {@code sha256:<64 hex>} or {@code phash:<16 hex>} lines. A line
 * longer than {@link #MAX_LINE_CHARS}, a malformed entry, invalid UTF-8 or more than the given
 * bound of entries (default {@link BlocklistConfig#DEFAULT_MAX_ENTRIES}) fail the whole file with
 * an {@link IllegalArgumentException} that names the file and the line: a list that is half applied
 * is worse than one that is refused.
 */
public final class BlocklistFiles {
    /** Longest line of a blocklist file, in characters. */
    public static final int MAX_LINE_CHARS = 1_000;

    private BlocklistFiles() {}

    /** One entry and where it was read: {@code FILE:LINE}. */
    public record Located(BlocklistEntry entry, String origin) implements java.io.Serializable {}

    /** The terms of the caption-terms file {@code file}, as {@link BlocklistEntry.Kind#TERM}. */
    public static List<Located> captionTerms(Path file) {
        return captionTerms(file, BlocklistConfig.DEFAULT_MAX_ENTRIES);
    }

    /** As {@link #captionTerms(Path)}, with at most {@code maxEntries} entries. */
    public static List<Located> captionTerms(Path file, int maxEntries) {
        return read(file, false, maxEntries);
    }

    /** The entries of the image-hash file {@code file} ({@code sha256:} and {@code phash:}). */
    public static List<Located> imageHashes(Path file) {
        return imageHashes(file, BlocklistConfig.DEFAULT_MAX_ENTRIES);
    }

    /** As {@link #imageHashes(Path)}, with at most {@code maxEntries} entries. */
    public static List<Located> imageHashes(Path file, int maxEntries) {
        return read(file, true, maxEntries);
    }

    private static List<Located> read(Path file, boolean images, int maxEntries) {
        List<Located> entries = new ArrayList<>();
        Set<BlocklistEntry> seen = new HashSet<>();
        var decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        int number = 0;
        try (BufferedReader in =
                new BufferedReader(
                        new java.io.InputStreamReader(Files.newInputStream(file), decoder))) {
            StringBuilder line = new StringBuilder();
            while (readLine(in, line, file, number + 1)) {
                number++;
                String text = line.toString().strip();
                if (number == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1).strip();
                }
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                BlocklistEntry entry;
                try {
                    entry = images ? image(text) : BlocklistEntry.term(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            file + ":" + number + ": " + e.getMessage(), e);
                }
                if (seen.add(entry)) {
                    if (entries.size() >= maxEntries) {
                        throw new IllegalArgumentException(
                                file
                                        + ":"
                                        + number
                                        + ": more than "
                                        + maxEntries
                                        + " entries, the blocklist's bound (filter key"
                                        + " blocklist-max-entries)");
                    }
                    entries.add(new Located(entry, file.getFileName() + ":" + number));
                }
            }
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ":" + (number + 1) + ": not valid UTF-8", e);
        } catch (IOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new IllegalArgumentException(
                        file + ":" + (number + 1) + ": not valid UTF-8", e);
            }
            throw new UncheckedIOException("cannot read blocklist file " + file, e);
        }
        return entries;
    }

    private static BlocklistEntry image(String text) {
        BlocklistEntry entry = BlocklistEntry.parse(text);
        if (entry.kind() == BlocklistEntry.Kind.TERM) {
            throw new IllegalArgumentException(
                    "an image-hash file holds sha256: and phash: entries, not terms");
        }
        return entry;
    }

    /**
     * Reads one line into {@code line} without holding more than {@link #MAX_LINE_CHARS} + 1
     * characters of it; false at the end of the input.
     */
    private static boolean readLine(BufferedReader in, StringBuilder line, Path file, int number)
            throws IOException {
        line.setLength(0);
        int c = in.read();
        if (c < 0) {
            return false;
        }
        while (c >= 0 && c != '\n') {
            if (c != '\r') {
                if (line.length() >= MAX_LINE_CHARS) {
                    throw new IllegalArgumentException(
                            file
                                    + ":"
                                    + number
                                    + ": line longer than "
                                    + MAX_LINE_CHARS
                                    + " characters");
                }
                line.append((char) c);
            }
            c = in.read();
        }
        return true;
    }
}
