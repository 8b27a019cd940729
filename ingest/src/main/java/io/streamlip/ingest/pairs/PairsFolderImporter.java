package io.streamlip.ingest.pairs;

import io.streamlip.ingest.importer.ImportRejectedException;
import io.streamlip.ingest.importer.ImportRejects;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.schemas.RawPair;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Imports a user's folder of images with a {@code pairs.jsonl} ({@link PairsFolder}): one {@link
 * RawPair} per accepted line, {@code id = folder:<name>:<n>} (n counts the accepted entries from
 * 0), the image's bytes as they are on disk (checking them is the filter's job), {@code alt_text} =
 * text, {@code lang_hint} = lang, {@code source = folder:<name>}, and the attributes {@code image}
 * (the relative path) and {@code class} when the line has one.
 *
 * <p>The index is scanned when the importer is opened. A line that is malformed, oversized, or
 * names an image that is missing, too large, outside the folder or reached through a symbolic link
 * is refused: counted in {@link #rejected()} with its line number and reason ({@link
 * PairsFolder.Problem} codes), and the import goes on with the next line. An image that cannot be
 * read when its pair is built is refused the same way. In {@linkplain Options#strict() strict} mode
 * the first refusal stops the import instead ({@link ImportRejectedException}, naming the line).
 */
public final class PairsFolderImporter implements PairImporter {
    private final Path folder;
    private final String name;
    private final List<PairsFolder.Line> lines;
    private final ImportRejects scanRejects;
    private final Options options;
    private final Instant crawlTime;
    private ImportRejects readRejects = ImportRejects.none();

    /**
     * How a folder is imported.
     *
     * @param strict stop at the first refused line instead of counting it and going on
     * @param bounds the bounds on a line and its image
     */
    public record Options(boolean strict, PairsFolder.Bounds bounds) {
        /** Counting refused lines and going on, with the default bounds. */
        public static Options defaults() {
            return builder().build();
        }

        /** A builder starting from the defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** A builder starting from these options. */
        public Builder toBuilder() {
            return new Builder(this);
        }

        /**
         * Builds {@link Options}; each setting starts at its default and is named as its component.
         */
        public static final class Builder {
            private boolean strict = false;
            private PairsFolder.Bounds bounds = PairsFolder.Bounds.defaults();

            private Builder() {}

            private Builder(Options c) {
                strict = c.strict;
                bounds = c.bounds;
            }

            public Builder strict(boolean value) {
                strict = value;
                return this;
            }

            public Builder bounds(PairsFolder.Bounds value) {
                bounds = value;
                return this;
            }

            /** The options. */
            public Options build() {
                return new Options(strict, bounds);
            }
        }
    }

    private PairsFolderImporter(
            PairsFolder.Index index, String name, Options options, Instant crawlTime) {
        this.folder = index.folder();
        this.name = name;
        this.lines = index.lines();
        this.scanRejects = index.rejected();
        this.options = options;
        this.crawlTime = crawlTime;
    }

    /**
     * Scans {@code folder}'s index with the default options; the pairs' crawl time is now.
     *
     * @throws IllegalArgumentException when the folder or its index is missing
     */
    public static PairsFolderImporter open(Path folder) {
        return open(folder, Instant.now(), Options.defaults());
    }

    /** As {@link #open(Path)}, with the given {@code crawl_time} for every pair. */
    public static PairsFolderImporter open(Path folder, Instant crawlTime) {
        return open(folder, crawlTime, Options.defaults());
    }

    /**
     * Scans {@code folder}'s index.
     *
     * @throws IllegalArgumentException when the folder or its index is missing
     * @throws ImportRejectedException with {@link Options#strict()}, at the first refused line
     */
    public static PairsFolderImporter open(Path folder, Instant crawlTime, Options options) {
        Path absolute = folder.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            throw new IllegalArgumentException("cannot import " + folder + ": no such folder");
        }
        PairsFolder.Index index;
        try {
            index = PairsFolder.scan(absolute, options.bounds(), options.strict());
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(
                    "cannot import pairs folder " + folder + ": " + e.getMessage(), e);
        }
        Path fileName = absolute.getFileName();
        String name = fileName == null ? "root" : fileName.toString();
        return new PairsFolderImporter(index, name, options, crawlTime);
    }

    /** {@code folder:<folder name>}, also the pairs' {@code source}. */
    @Override
    public String name() {
        return "folder:" + name;
    }

    /** The accepted lines; fewer pairs come when images become unreadable during the import. */
    @Override
    public long expectedPairs() {
        return lines.size();
    }

    /** Nothing: every line left out is a reject ({@link #rejected()}). */
    @Override
    public Map<String, Long> skipped() {
        return Map.of();
    }

    /**
     * The lines refused by the scan, plus the images the latest {@link #pairs()} could not read.
     */
    @Override
    public ImportRejects rejected() {
        return ImportRejects.builder().addAll(scanRejects).addAll(readRejects).build();
    }

    @Override
    public Iterator<RawPair> pairs() {
        ImportRejects.Builder rejects = ImportRejects.builder();
        readRejects = ImportRejects.none();
        return new Iterator<>() {
            private int next;
            private int emitted;
            private RawPair ahead;

            @Override
            public boolean hasNext() {
                while (ahead == null && next < lines.size()) {
                    PairsFolder.Line line = lines.get(next++);
                    try {
                        byte[] bytes =
                                PairsFolder.readImage(
                                        folder,
                                        line.entry().image(),
                                        options.bounds().maxImageBytes());
                        ahead = pair(emitted++, line.entry(), bytes);
                    } catch (PairsFolder.Refused r) {
                        ImportRejects.Example example =
                                new ImportRejects.Example(
                                        line.number(), r.problem().code(), r.detail());
                        if (options.strict()) {
                            throw new ImportRejectedException(
                                    folder.resolve(PairsFolder.INDEX).toString(), example);
                        }
                        rejects.add(line.number(), example.reason(), example.detail());
                        readRejects = rejects.build();
                    }
                }
                return ahead != null;
            }

            @Override
            public RawPair next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                RawPair p = ahead;
                ahead = null;
                return p;
            }
        };
    }

    private RawPair pair(int n, PairsFolder.Entry entry, byte[] bytes) {
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
