package io.streamlip.ingest.pairs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.ingest.importer.ImportRejectedException;
import io.streamlip.ingest.importer.ImportRejects;
import io.streamlip.platform.bounds.BoundedText;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A folder of images with a {@code pairs.jsonl}, one JSON object per line: the format of evaluation
 * sets and of user datasets (DESIGN.md, "Evaluation sets").
 *
 * <pre>{"image": "images/1f600.png", "text": "grinning face", "lang": "en", "class": "1f600"}</pre>
 *
 * <p>{@code image} is relative to the folder; {@code class} groups the texts that describe the same
 * thing (optional for user data, required for evaluation).
 *
 * <p>A folder's index is input from a user, so every line is checked ({@link #scan}): its size and
 * fields are bounded ({@link Bounds}), and its image must be a regular file inside the folder,
 * reached without a symbolic link (no component of the path may be a link, and the real path must
 * lie inside the folder's real path), and no larger than the byte bound. A line that fails a check
 * is refused with one of the {@link Problem} codes.
 */
public final class PairsFolder {
    public static final String INDEX = "pairs.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PairsFolder() {}

    /**
     * One line of {@code pairs.jsonl}.
     *
     * @param image path relative to the folder
     * @param text the caption
     * @param lang BCP 47 language, may be null
     * @param classLabel what the image shows, may be null for user data
     */
    public record Entry(String image, String text, String lang, String classLabel) {}

    /**
     * An accepted line of the index.
     *
     * @param number its line number, from 1
     * @param entry what it says
     */
    public record Line(int number, Entry entry) {}

    /** Why a line of the index is refused: the codes of the import's rejects. */
    public enum Problem {
        /** The line is not valid UTF-8. */
        NOT_UTF8,
        /** The line is not a JSON object. */
        NOT_JSON,
        /** {@code image} or {@code text} is missing or not a string. */
        MISSING_FIELD,
        /** The line or one of its fields is longer than its bound. */
        FIELD_TOO_LARGE,
        /** No regular file at the image path. */
        IMAGE_MISSING,
        /** The image path goes through a symbolic link. */
        IMAGE_LINK,
        /** The image path is absolute or resolves outside the folder. */
        IMAGE_OUTSIDE_FOLDER,
        /** The image file cannot be read. */
        IMAGE_UNREADABLE,
        /** The image file is larger than the byte bound. */
        IMAGE_TOO_LARGE;

        /** The lower-case code, e.g. {@code image_link}. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Bounds on one line of the index.
     *
     * @param maxLineBytes longest line, in UTF-8 bytes (default 1 MiB); a longer one is refused
     *     without being held in memory
     * @param maxTextChars longest {@code text} (default 16,384)
     * @param maxFieldChars longest {@code image}, {@code lang} and {@code class} (default 1,024)
     * @param maxImageBytes largest image file (default 8 MiB, the filter's default image bound)
     */
    public record Bounds(
            int maxLineBytes, int maxTextChars, int maxFieldChars, long maxImageBytes) {
        public Bounds {
            if (maxLineBytes < 1 || maxTextChars < 1 || maxFieldChars < 1 || maxImageBytes < 1) {
                throw new IllegalArgumentException("bounds must be positive");
            }
        }

        /** The documented defaults. */
        public static Bounds defaults() {
            return builder().build();
        }

        /** A builder starting from the defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** A builder starting from these bounds. */
        public Builder toBuilder() {
            return new Builder(this);
        }

        /**
         * Builds {@link Bounds}; each setting starts at its default and is named as its component.
         */
        public static final class Builder {
            private int maxLineBytes = 1 << 20;
            private int maxTextChars = 16_384;
            private int maxFieldChars = 1_024;
            private long maxImageBytes = 8L << 20;

            private Builder() {}

            private Builder(Bounds c) {
                maxLineBytes = c.maxLineBytes;
                maxTextChars = c.maxTextChars;
                maxFieldChars = c.maxFieldChars;
                maxImageBytes = c.maxImageBytes;
            }

            public Builder maxLineBytes(int value) {
                maxLineBytes = value;
                return this;
            }

            public Builder maxTextChars(int value) {
                maxTextChars = value;
                return this;
            }

            public Builder maxFieldChars(int value) {
                maxFieldChars = value;
                return this;
            }

            public Builder maxImageBytes(long value) {
                maxImageBytes = value;
                return this;
            }

            /** The bounds; the record's constructor checks them. */
            public Bounds build() {
                return new Bounds(maxLineBytes, maxTextChars, maxFieldChars, maxImageBytes);
            }
        }
    }

    /** A line refused, or an image that may not or cannot be read. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final Problem problem;

        Refused(Problem problem, String detail) {
            super(BoundedText.detail(detail), null, false, false);
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }

        /** What was wrong, one line of at most {@link BoundedText#MAX_DETAIL} characters. */
        public String detail() {
            return getMessage();
        }
    }

    /**
     * The checked index of a folder.
     *
     * @param folder the folder's real path (links resolved): image paths are relative to it
     * @param lines the accepted lines, in order
     * @param rejected the refused lines
     */
    public record Index(Path folder, List<Line> lines, ImportRejects rejected) {
        /** The accepted entries. */
        public List<Entry> entries() {
            return lines.stream().map(Line::entry).toList();
        }
    }

    /**
     * Reads and checks the index: every line parses, has an image and a text, and every image is a
     * readable file inside the folder. Fails at the first line that does not, naming the file and
     * line (what evaluation sets, which the project writes itself, need).
     *
     * @throws ImportRejectedException at the first refused line
     */
    public static List<Entry> read(Path folder) {
        return scan(folder, Bounds.defaults(), true).entries();
    }

    /**
     * Reads and checks the index line by line. A refused line is counted in {@link
     * Index#rejected()} (line number, reason, capped detail) and the scan goes on; with {@code
     * strict} it stops there instead.
     *
     * @throws IllegalArgumentException when the folder has no index
     * @throws ImportRejectedException with {@code strict}, at the first refused line
     * @throws UncheckedIOException when the index cannot be read
     */
    public static Index scan(Path folder, Bounds bounds, boolean strict) {
        Path index = folder.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            throw new IllegalArgumentException(
                    folder + " is not a pairs folder: it has no " + INDEX);
        }
        Path root;
        try {
            root = folder.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + folder, e);
        }
        List<Line> lines = new ArrayList<>();
        ImportRejects.Builder rejected = ImportRejects.builder();
        // Images named by several lines are checked once; the outcome is kept per path.
        Map<String, Refused> checked = new HashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(index), 1 << 16)) {
            LineReader reader = new LineReader(in, bounds.maxLineBytes());
            int number = 0;
            byte[] raw;
            while ((raw = reader.next()) != null) {
                number++;
                try {
                    if (raw == LineReader.TOO_LONG) {
                        throw new Refused(
                                Problem.FIELD_TOO_LARGE,
                                "line longer than " + bounds.maxLineBytes() + " bytes");
                    }
                    String line = utf8(raw);
                    if (line.isBlank()) {
                        continue;
                    }
                    Entry e = parse(line, bounds);
                    if (!checked.containsKey(e.image())) {
                        checked.put(e.image(), check(root, e.image(), bounds.maxImageBytes()));
                    }
                    Refused imageProblem = checked.get(e.image());
                    if (imageProblem != null) {
                        throw imageProblem;
                    }
                    lines.add(new Line(number, e));
                } catch (Refused r) {
                    ImportRejects.Example example =
                            new ImportRejects.Example(number, r.problem().code(), r.detail());
                    if (strict) {
                        throw new ImportRejectedException(index.toString(), example);
                    }
                    rejected.add(number, example.reason(), example.detail());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        }
        return new Index(root, List.copyOf(lines), rejected.build());
    }

    private static Refused check(Path root, String relative, long maxBytes) {
        try {
            imagePath(root, relative, maxBytes);
            return null;
        } catch (Refused r) {
            return r;
        }
    }

    /**
     * The path of image {@code relative} in the folder whose real path is {@code root}, checked:
     * inside the folder, no symbolic link on the way, a regular file of at most {@code maxBytes}.
     *
     * @throws Refused when any check fails
     */
    public static Path imagePath(Path root, String relative, long maxBytes) throws Refused {
        Path rel;
        try {
            rel = Path.of(relative);
        } catch (InvalidPathException e) {
            throw new Refused(Problem.IMAGE_OUTSIDE_FOLDER, "not a path: " + relative);
        }
        Path path = root.resolve(rel).normalize();
        if (rel.isAbsolute() || !path.startsWith(root) || path.equals(root)) {
            throw new Refused(
                    Problem.IMAGE_OUTSIDE_FOLDER,
                    "image must be a path inside the folder: " + relative);
        }
        // Every component below the folder, not only the last: a linked directory escapes too.
        for (Path p = path; !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new Refused(
                        Problem.IMAGE_LINK,
                        "image "
                                + relative
                                + " goes through a symbolic link: "
                                + root.relativize(p));
            }
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new Refused(
                    Problem.IMAGE_MISSING,
                    "image "
                            + relative
                            + (Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                                    ? " is not a regular file"
                                    : " does not exist"));
        }
        try {
            if (!path.toRealPath().startsWith(root)) {
                throw new Refused(
                        Problem.IMAGE_OUTSIDE_FOLDER,
                        "image " + relative + " resolves outside the folder");
            }
            long size = Files.size(path);
            if (size > maxBytes) {
                throw new Refused(
                        Problem.IMAGE_TOO_LARGE,
                        "image " + relative + " has " + size + " bytes, more than " + maxBytes);
            }
        } catch (IOException e) {
            throw new Refused(Problem.IMAGE_UNREADABLE, "image " + relative + ": " + e);
        }
        return path;
    }

    /**
     * The bytes of image {@code relative}, checked again as {@link #imagePath} does (the folder may
     * have changed since its index was scanned) and read without following a link, at most {@code
     * maxBytes} of them.
     *
     * @throws Refused when a check fails or the file cannot be read
     */
    public static byte[] readImage(Path root, String relative, long maxBytes) throws Refused {
        Path path = imagePath(root, relative, maxBytes);
        try (InputStream in =
                Channels.newInputStream(
                        Files.newByteChannel(
                                path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            // One byte past the bound notices a file that grew since the check.
            byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > maxBytes) {
                throw new Refused(
                        Problem.IMAGE_TOO_LARGE,
                        "image " + relative + " has more than " + maxBytes + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new Refused(Problem.IMAGE_UNREADABLE, "image " + relative + ": " + e);
        }
    }

    private static String utf8(byte[] raw) throws Refused {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refused(Problem.NOT_UTF8, "line is not valid UTF-8");
        }
    }

    private static Entry parse(String line, Bounds bounds) throws Refused {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Refused(Problem.NOT_JSON, "not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new Refused(Problem.NOT_JSON, "not a JSON object");
        }
        String image = text(node, "image", bounds.maxFieldChars());
        String text = text(node, "text", bounds.maxTextChars());
        if (image == null || text == null) {
            throw new Refused(Problem.MISSING_FIELD, "needs \"image\" and \"text\" fields");
        }
        return new Entry(
                image,
                text,
                text(node, "lang", bounds.maxFieldChars()),
                text(node, "class", bounds.maxFieldChars()));
    }

    private static String text(JsonNode node, String field, int maxChars) throws Refused {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new Refused(Problem.MISSING_FIELD, "\"" + field + "\" must be a string");
        }
        String s = v.asText();
        if (s.length() > maxChars) {
            throw new Refused(
                    Problem.FIELD_TOO_LARGE,
                    "\"" + field + "\" has " + s.length() + " characters, more than " + maxChars);
        }
        return s;
    }

    /**
     * Splits a stream into lines ({@code \n}, an optional {@code \r} before it dropped) of at most
     * {@code max} bytes; a longer line is skipped to its end and returned as {@link #TOO_LONG}.
     */
    private static final class LineReader {
        static final byte[] TOO_LONG = new byte[0];
        private final InputStream in;
        private final int max;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineReader(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        /** The next line, {@link #TOO_LONG}, or null at the end. */
        byte[] next() throws IOException {
            line.reset();
            boolean tooLong = false;
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (!tooLong) {
                    if (line.size() >= max) {
                        tooLong = true;
                    } else {
                        line.write(b);
                    }
                }
            }
            if (b < 0 && line.size() == 0 && !tooLong) {
                return null;
            }
            if (tooLong) {
                return TOO_LONG;
            }
            byte[] bytes = line.toByteArray();
            int n = bytes.length;
            return n > 0 && bytes[n - 1] == '\r' ? Arrays.copyOf(bytes, n - 1) : bytes;
        }
    }

    /** Writes a pairs folder: images first, then one index line per entry. */
    public static final class Writer implements AutoCloseable {
        private final Path folder;
        private final BufferedWriter index;
        private final Set<String> written = new HashSet<>();
        private long lines;

        public Writer(Path folder) {
            this.folder = folder;
            try {
                Files.createDirectories(folder.resolve("images"));
                this.index = Files.newBufferedWriter(folder.resolve(INDEX), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create pairs folder " + folder, e);
            }
        }

        /**
         * Stores {@code bytes} as {@code images/<name>} once (later calls with the same name keep
         * the first) and returns the relative path.
         */
        public String image(String name, byte[] bytes) {
            String relative = "images/" + name;
            if (written.add(relative)) {
                try {
                    Files.write(folder.resolve(relative), bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + relative, e);
                }
            }
            return relative;
        }

        public void add(Entry entry) {
            ObjectNode node = JSON.createObjectNode();
            node.put("image", entry.image());
            node.put("text", entry.text());
            if (entry.lang() != null) {
                node.put("lang", entry.lang());
            }
            if (entry.classLabel() != null) {
                node.put("class", entry.classLabel());
            }
            try {
                index.write(JSON.writeValueAsString(node));
                index.write('\n');
                lines++;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + INDEX, e);
            }
        }

        public long lines() {
            return lines;
        }

        @Override
        public void close() {
            try {
                index.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
