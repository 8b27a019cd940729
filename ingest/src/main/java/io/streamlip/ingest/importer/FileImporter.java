package io.streamlip.ingest.importer;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.schemas.RawPair;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * An importer of pairs read from one file or a folder of files of one format (Parquet, TSV, JSONL,
 * WebDataset), streamed: one record at a time, never the whole file in memory.
 *
 * <p>Pairs carry {@code source = <format>:<name of the path>}, {@code id = <source>[:<file>]:<n>}
 * (the file named only for a folder; n the line, row or sample key), the import time as {@code
 * crawl_time}, and either the image's URL ({@code image_url}, no bytes: the filter job's fetch
 * stage fetches it) or its bytes. Every unit of input that cannot become a pair is counted in
 * {@link #rejected()} under an {@link ImportReason} code, with the file named in its detail; a file
 * that cannot be read from some point on is one {@code unreadable} reject and the import goes on
 * with the next file. Nothing the input holds makes the import throw.
 */
public abstract class FileImporter implements PairImporter {
    /** Longest file or path name put into ids and details. */
    private static final int MAX_NAME_CHARS = 96;

    /** Longest per-record part of an id (line, row, sample key). */
    public static final int MAX_LOCAL_ID_CHARS = 256;

    private final String name;
    private final Path root;
    private final List<Path> files;
    private final ImportBounds bounds;
    private final Instant crawlTime;
    private ImportRejects rejected = ImportRejects.none();
    private Map<String, Long> skipped = Map.of();

    /**
     * @param format the format's short name, e.g. {@code parquet}
     * @param path the file or folder the user named
     * @param files the files to read, in order
     */
    protected FileImporter(
            String format, Path path, List<Path> files, ImportBounds bounds, Instant crawlTime) {
        Path absolute = path.toAbsolutePath().normalize();
        Path fileName = absolute.getFileName();
        this.name =
                format
                        + ":"
                        + BoundedText.cap(
                                fileName == null ? "root" : fileName.toString(), MAX_NAME_CHARS);
        this.root = files.size() == 1 && files.get(0).equals(absolute) ? null : absolute;
        this.files = List.copyOf(files);
        this.bounds = bounds;
        this.crawlTime = crawlTime;
    }

    /** Reads one file: the next pair, or null at its end. */
    protected interface Cursor extends Closeable {
        /**
         * The next pair, counting what it refuses on the way in the context.
         *
         * @return null at the end of the file
         * @throws IOException when the rest of the file cannot be read
         */
        RawPair next() throws IOException;

        /** Releases the file; nothing by default. */
        @Override
        default void close() throws IOException {}
    }

    /** Opens {@code file} for reading; refusals go to {@code context}. */
    protected abstract Cursor open(Path file, Context context) throws IOException;

    /** {@code <format>:<file or folder name>}, also the pairs' {@code source}. */
    @Override
    public String name() {
        return name;
    }

    /** The files read, in order. */
    public List<Path> files() {
        return files;
    }

    public ImportBounds bounds() {
        return bounds;
    }

    /** Unknown before reading, unless the format overrides it. */
    @Override
    public long expectedPairs() {
        return -1;
    }

    /** Units the latest {@link #pairs()} iteration left out on purpose, per reason. */
    @Override
    public Map<String, Long> skipped() {
        return skipped;
    }

    /** What the latest {@link #pairs()} iteration refused. */
    @Override
    public ImportRejects rejected() {
        return rejected;
    }

    @Override
    public Iterator<RawPair> pairs() {
        ImportRejects.Builder rejects = ImportRejects.builder();
        Map<String, Long> skips = new TreeMap<>();
        rejected = ImportRejects.none();
        skipped = Map.of();
        return new Iterator<>() {
            private int nextFile;
            private Cursor cursor;
            private Context context;
            private RawPair ahead;

            @Override
            public boolean hasNext() {
                while (ahead == null) {
                    if (cursor == null) {
                        if (nextFile >= files.size()) {
                            return false;
                        }
                        Path file = files.get(nextFile++);
                        context = new Context(file, rejects, skips);
                        try {
                            cursor = open(file, context);
                        } catch (IOException | RuntimeException e) {
                            context.unreadable(e);
                            continue;
                        }
                    }
                    try {
                        ahead = cursor.next();
                    } catch (IOException | RuntimeException e) {
                        context.unreadable(e);
                        ahead = null;
                        closeCursor();
                        continue;
                    } finally {
                        rejected = rejects.build();
                        skipped = Map.copyOf(skips);
                    }
                    if (ahead == null) {
                        closeCursor();
                    }
                }
                return true;
            }

            private void closeCursor() {
                try {
                    cursor.close();
                } catch (IOException | RuntimeException e) {
                    // Nothing more is read from it; what was read stands.
                }
                cursor = null;
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

    /** Where refusals of one file go, and how its pairs are built. */
    protected final class Context {
        private final Path file;
        private final String label;
        private final String idPrefix;
        private final ImportRejects.Builder rejects;
        private final Map<String, Long> skips;

        private Context(Path file, ImportRejects.Builder rejects, Map<String, Long> skips) {
            this.file = file;
            Path relative =
                    root == null ? file.getFileName() : root.relativize(file.toAbsolutePath());
            this.label = BoundedText.cap(String.valueOf(relative), MAX_NAME_CHARS);
            this.idPrefix = root == null ? name : name + ":" + label;
            this.rejects = rejects;
            this.skips = skips;
        }

        public Path file() {
            return file;
        }

        public ImportBounds bounds() {
            return bounds;
        }

        /** Counts a refusal of {@code unit} (a line or row number from 1; 0: not a line). */
        public void reject(long unit, Refusal refusal) {
            reject(unit, refusal.reason(), refusal.detail());
        }

        /** Counts a refusal of {@code unit} (a line or row number from 1; 0: not a line). */
        public void reject(long unit, ImportReason reason, String detail) {
            rejects.add(unit, reason.code(), label + ": " + detail);
        }

        /** Counts a unit left out on purpose under {@code reason}. */
        public void skip(String reason) {
            skips.merge(reason, 1L, Long::sum);
        }

        void unreadable(Exception e) {
            reject(0, ImportReason.UNREADABLE, "cannot read on: " + e);
        }

        /**
         * A pair whose image is fetched from {@code url}.
         *
         * @param localId the line, row or key; at most {@value #MAX_LOCAL_ID_CHARS} chars
         * @throws Refusal when a field is missing or beyond its bound, or the URL is not http(s)
         */
        public RawPair urlPair(
                String localId,
                String url,
                String caption,
                String language,
                Map<String, String> attributes)
                throws Refusal {
            return pair(localId, checkUrl(url), null, caption, language, attributes);
        }

        /**
         * A pair carrying its image's bytes.
         *
         * @throws Refusal when a field is missing or beyond its bound
         */
        public RawPair bytesPair(
                String localId,
                byte[] image,
                String caption,
                String language,
                Map<String, String> attributes)
                throws Refusal {
            if (image == null || image.length == 0) {
                throw new Refusal(ImportReason.MISSING_FIELD, "no image bytes");
            }
            if (image.length > bounds.maxImageBytes()) {
                throw new Refusal(
                        ImportReason.MEMBER_TOO_LARGE,
                        "image has "
                                + image.length
                                + " bytes, more than "
                                + bounds.maxImageBytes());
            }
            return pair(localId, null, image, caption, language, attributes);
        }

        private RawPair pair(
                String localId,
                String url,
                byte[] image,
                String caption,
                String language,
                Map<String, String> attributes)
                throws Refusal {
            if (caption == null) {
                throw new Refusal(ImportReason.MISSING_FIELD, "no caption");
            }
            tooLong("caption", caption, bounds.maxCaptionChars());
            tooLong("id", localId, MAX_LOCAL_ID_CHARS);
            String lang = language == null || language.isBlank() ? null : language.strip();
            tooLong("language", lang, bounds.maxFieldChars());
            Map<String, String> attrs = new HashMap<>(attributes.size() * 2);
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                if (e.getValue() != null) {
                    tooLong(e.getKey(), e.getValue(), bounds.maxFieldChars());
                    attrs.put(e.getKey(), e.getValue());
                }
            }
            return new RawPair(
                    idPrefix + ":" + localId,
                    image == null ? null : ByteBuffer.wrap(image),
                    url,
                    caption,
                    null,
                    null,
                    name,
                    crawlTime,
                    lang,
                    attrs);
        }

        private String checkUrl(String url) throws Refusal {
            if (url == null || url.isBlank()) {
                throw new Refusal(ImportReason.MISSING_FIELD, "no URL");
            }
            String u = url.strip();
            tooLong("URL", u, bounds.maxUrlChars());
            if (!isHttpUrl(u)) {
                throw new Refusal(ImportReason.BAD_URL, "not an http(s) URL: " + u);
            }
            return u;
        }
    }

    /**
     * Whether {@code url} looks like an absolute http(s) URL with a host: the scheme, {@code ://},
     * a non-empty authority, and no whitespace or control characters. Anything further (escaping,
     * resolution, allowed addresses) is the fetch stage's to check.
     */
    public static boolean isHttpUrl(String url) {
        String lower = url.length() > 8 ? url.substring(0, 8).toLowerCase(Locale.ROOT) : url;
        int start;
        if (lower.startsWith("https://")) {
            start = 8;
        } else if (lower.startsWith("http://")) {
            start = 7;
        } else {
            return false;
        }
        if (start >= url.length() || "/?#".indexOf(url.charAt(start)) >= 0) {
            return false;
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || Character.isISOControl(c) || Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }

    private static void tooLong(String field, String value, int max) throws Refusal {
        if (value != null && value.length() > max) {
            throw new Refusal(
                    ImportReason.FIELD_TOO_LARGE,
                    field + " has " + value.length() + " chars, more than " + max);
        }
    }
}
