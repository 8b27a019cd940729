package io.streamlip.ingest.pairs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A folder of images with a {@code pairs.jsonl}, one JSON object per line: the format of evaluation
 * sets and of user datasets (DESIGN.md, "Evaluation sets").
 *
 * <pre>{"image": "images/1f600.png", "text": "grinning face", "lang": "en", "class": "1f600"}</pre>
 *
 * <p>{@code image} is relative to the folder; {@code class} groups the texts that describe the same
 * thing (optional for user data, required for evaluation).
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
     * Reads and checks the index: every line parses, has an image and a text, and every image
     * exists. Errors name the file and line.
     */
    public static List<Entry> read(Path folder) {
        Path index = folder.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            throw new IllegalArgumentException(
                    folder + " is not a pairs folder: it has no " + INDEX);
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> checkedImages = new HashSet<>();
        try (BufferedReader in = Files.newBufferedReader(index, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                Entry e = parse(line, index, number);
                if (checkedImages.add(e.image())
                        && !Files.isRegularFile(folder.resolve(e.image()))) {
                    throw new IllegalArgumentException(
                            index + ":" + number + ": image " + e.image() + " does not exist");
                }
                entries.add(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        }
        return entries;
    }

    private static Entry parse(String line, Path index, int number) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(
                    index + ":" + number + ": not JSON: " + e.getOriginalMessage(), e);
        }
        String image = text(node, "image");
        String text = text(node, "text");
        if (image == null || text == null) {
            throw new IllegalArgumentException(
                    index + ":" + number + ": needs \"image\" and \"text\" fields: " + line);
        }
        if (Path.of(image).isAbsolute() || image.contains("..")) {
            throw new IllegalArgumentException(
                    index + ":" + number + ": image must be a path inside the folder: " + image);
        }
        return new Entry(image, text, text(node, "lang"), text(node, "class"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
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
