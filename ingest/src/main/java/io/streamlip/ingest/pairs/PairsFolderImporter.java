package io.streamlip.ingest.pairs;

import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.schemas.RawPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Imports a user's folder of images with a {@code pairs.jsonl} ({@link PairsFolder}): one {@link
 * RawPair} per line, {@code id = folder:<name>:<n>} (n counts the entries from 0), the image's
 * bytes as they are on disk (checking them is the filter's job), {@code alt_text} = text, {@code
 * lang_hint} = lang, {@code source = folder:<name>}, and the attributes {@code image} (the relative
 * path) and {@code class} when the line has one.
 *
 * <p>The index is read and checked when the importer is created: a malformed line or a missing
 * image fails then, with the file, line number and problem in the message, before anything is sent.
 * The images are read one at a time as the pairs are built.
 */
public final class PairsFolderImporter implements PairImporter {
    private final Path folder;
    private final String name;
    private final List<PairsFolder.Entry> entries;
    private final Instant crawlTime;

    private PairsFolderImporter(
            Path folder, String name, List<PairsFolder.Entry> entries, Instant crawlTime) {
        this.folder = folder;
        this.name = name;
        this.entries = entries;
        this.crawlTime = crawlTime;
    }

    /**
     * Reads and checks {@code folder}'s index; the pairs' crawl time is now.
     *
     * @throws IllegalArgumentException when the folder, its index, a line or an image is missing or
     *     malformed; the message names the file and line
     */
    public static PairsFolderImporter open(Path folder) {
        return open(folder, Instant.now());
    }

    /** As {@link #open(Path)}, with the given {@code crawl_time} for every pair. */
    public static PairsFolderImporter open(Path folder, Instant crawlTime) {
        Path absolute = folder.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            throw new IllegalArgumentException("cannot import " + folder + ": no such folder");
        }
        List<PairsFolder.Entry> entries;
        try {
            entries = PairsFolder.read(absolute);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            // PairsFolder's message already names the file and line; say what was being done.
            throw new IllegalArgumentException(
                    "cannot import pairs folder " + folder + ": " + e.getMessage(), e);
        }
        Path fileName = absolute.getFileName();
        String name = fileName == null ? "root" : fileName.toString();
        return new PairsFolderImporter(absolute, name, List.copyOf(entries), crawlTime);
    }

    /** {@code folder:<folder name>}, also the pairs' {@code source}. */
    @Override
    public String name() {
        return "folder:" + name;
    }

    @Override
    public long expectedPairs() {
        return entries.size();
    }

    /** Nothing: a folder with a bad line is refused as a whole when opened. */
    @Override
    public Map<String, Long> skipped() {
        return Map.of();
    }

    @Override
    public Iterator<RawPair> pairs() {
        return IntStream.range(0, entries.size()).mapToObj(n -> pair(n, entries.get(n))).iterator();
    }

    private RawPair pair(int n, PairsFolder.Entry entry) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(folder.resolve(entry.image()));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot import pairs folder "
                            + folder
                            + ": cannot read image "
                            + entry.image()
                            + " of entry "
                            + n
                            + " (changed since the folder was opened?): "
                            + e,
                    e);
        }
        Map<String, String> attributes = new HashMap<>(4);
        attributes.put("image", entry.image());
        if (entry.classLabel() != null) {
            attributes.put("class", entry.classLabel());
        }
        return RawPair.newBuilder()
                .setId(name() + ":" + n)
                .setImage(ByteBuffer.wrap(bytes))
                .setAltText(entry.text())
                .setSource(name())
                .setCrawlTime(crawlTime)
                .setLangHint(entry.lang())
                .setAttributes(attributes)
                .build();
    }
}
