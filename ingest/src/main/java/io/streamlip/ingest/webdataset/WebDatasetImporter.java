package io.streamlip.ingest.webdataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.ingest.importer.FileImporter;
import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.ImportReason;
import io.streamlip.ingest.importer.Refusal;
import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.schemas.RawPair;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Imports WebDataset tar shards ({@code .tar}, or gzipped: {@code .tar.gz}, {@code .tgz}, told by
 * the gzip magic number) as img2dataset and open_clip write them: per sample one image ({@code
 * .jpg}, {@code .jpeg}, {@code .png} or {@code .webp}), its caption ({@code .txt}, UTF-8) and
 * optional metadata ({@code .json}), members of one sample adjacent. A member's sample key is its
 * name up to the first dot of its base name ({@code part/000123.jpg} is key {@code part/000123},
 * extension {@code jpg}), as webdataset groups them. Pairs carry the image's bytes, id {@code
 * ...:<key>}; from the {@code .json}: the caption when there is no {@code .txt}, {@code language},
 * and the attributes {@code url}, {@code key}, {@code width}, {@code height}, {@code
 * original_width}, {@code original_height}, {@code similarity}, {@code sha256}.
 *
 * <p>Refused samples: no image ({@code missing_image}); no caption ({@code missing_caption}); two
 * members of one kind ({@code extra_member}); a member beyond its bound, not read ({@code
 * member_too_large}: the image {@link ImportBounds#maxImageBytes()}, text and JSON {@link
 * ImportBounds#maxLineBytes()}); a {@code .txt} that is not UTF-8 ({@code not_utf8}); a {@code
 * .json} that is not a JSON object ({@code not_json}); a field beyond its bound ({@code
 * field_too_large}); members of one key that are not adjacent, another sample's members between
 * them ({@code non_adjacent_members}, every part: a part lacking a member waits for the shard's end
 * before it counts as {@code missing_*}). A shard that ends inside a member refuses the pending
 * sample as {@code truncated_tar} and the import goes on with the next shard. Members of other
 * kinds are passed over and counted under skipped {@code unknown_member}, entries that are not
 * files under {@code non_file_member}.
 */
public final class WebDatasetImporter extends FileImporter {
    /** Image member extensions. */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "webp");

    private static final List<String> JSON_ATTRIBUTES =
            List.of(
                    "url",
                    "key",
                    "width",
                    "height",
                    "original_width",
                    "original_height",
                    "similarity",
                    "sha256");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sample keys remembered per shard to notice members that are not adjacent. */
    static final int MAX_TRACKED_KEYS = 1 << 20;

    /** Refusals for a missing member kept back until the shard's end. */
    static final int MAX_WAITING_REJECTS = 1 << 14;

    /** An insertion-ordered map that drops its oldest entry beyond {@code capacity}. */
    private static final class BoundedKeys<V> extends LinkedHashMap<String, V> {
        private static final long serialVersionUID = 1L;
        private final int capacity;
        private transient Map.Entry<String, V> evicted;

        BoundedKeys(int capacity) {
            this.capacity = capacity;
        }

        /** Puts, answering the entry dropped to make room (or null). */
        Map.Entry<String, V> putEvicting(String key, V value) {
            evicted = null;
            put(key, value);
            return evicted;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
            if (size() > capacity) {
                evicted = Map.entry(eldest.getKey(), eldest.getValue());
                return true;
            }
            return false;
        }
    }

    /** Whether {@code file} starts with the gzip magic number (a {@code .tar.gz} shard). */
    private static boolean gzipped(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
        }
    }

    public WebDatasetImporter(Path path, List<Path> files, ImportBounds bounds, Instant crawlTime) {
        super("webdataset", path, files, bounds, crawlTime);
    }

    /** One sample being gathered: its members so far and the first thing wrong with it. */
    private static final class Sample {
        final String key;
        byte[] image;
        byte[] text;
        byte[] json;
        Refusal problem;
        boolean nonAdjacent;

        Sample(String key) {
            this.key = key;
        }

        void refuse(ImportReason reason, String detail) {
            if (problem == null) {
                problem = new Refusal(reason, detail);
            }
        }
    }

    @Override
    protected Cursor open(Path file, Context context) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (gzipped(file)) {
            in = new BufferedInputStream(new GzipCompressorInputStream(in, true), 1 << 16);
        }
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        ImportBounds bounds = context.bounds();
        return new Cursor() {
            private Sample current;
            private boolean done;
            // Keys of the samples finished in this shard, and those refused for a missing member
            // whose reject waits for the shard's end: a later part of the same key makes both
            // non_adjacent_members (bounded; the oldest leave first).
            private final BoundedKeys<Boolean> finished = new BoundedKeys<>(MAX_TRACKED_KEYS);
            private final BoundedKeys<Refusal> waiting = new BoundedKeys<>(MAX_WAITING_REJECTS);

            @Override
            public RawPair next() throws IOException {
                while (!done) {
                    TarArchiveEntry entry;
                    try {
                        entry = tar.getNextEntry();
                    } catch (EOFException e) {
                        return truncated(e);
                    } catch (IOException e) {
                        if (isTruncation(e)) {
                            return truncated(e);
                        }
                        throw e;
                    }
                    if (entry == null) {
                        done = true;
                        RawPair last = finish(current);
                        current = null;
                        flushWaiting();
                        return last;
                    }
                    if (!entry.isFile()) {
                        context.skip("non_file_member");
                        continue;
                    }
                    String name = entry.getName();
                    int slash = name.lastIndexOf('/');
                    int dot = name.indexOf('.', slash + 1);
                    if (dot <= slash + 1) {
                        context.skip("unknown_member");
                        continue;
                    }
                    String key = name.substring(0, dot);
                    String extension = name.substring(dot + 1).toLowerCase(Locale.ROOT);
                    RawPair finished = null;
                    if (current == null || !current.key.equals(key)) {
                        finished = finish(current);
                        current = new Sample(key);
                        if (this.finished.containsKey(key)) {
                            current.nonAdjacent = true;
                            Refusal earlier = waiting.remove(key);
                            if (earlier != null) {
                                rejectNonAdjacent(key, "its first part");
                            }
                        }
                    }
                    try {
                        add(current, entry, extension);
                    } catch (EOFException e) {
                        return truncatedAfter(finished, e);
                    } catch (IOException e) {
                        if (isTruncation(e)) {
                            return truncatedAfter(finished, e);
                        }
                        throw e;
                    }
                    if (finished != null) {
                        return finished;
                    }
                }
                return null;
            }

            private void add(Sample sample, TarArchiveEntry entry, String extension)
                    throws IOException {
                long size = entry.getSize();
                if (IMAGE_EXTENSIONS.contains(extension)) {
                    if (sample.image != null) {
                        sample.refuse(ImportReason.EXTRA_MEMBER, "a second image ." + extension);
                    } else if (size > bounds.maxImageBytes()) {
                        sample.refuse(
                                ImportReason.MEMBER_TOO_LARGE,
                                "image ."
                                        + extension
                                        + " has "
                                        + size
                                        + " bytes, more than "
                                        + bounds.maxImageBytes());
                    } else if (sample.problem == null) {
                        sample.image = read(size);
                    }
                } else if (extension.equals("txt") || extension.equals("json")) {
                    boolean text = extension.equals("txt");
                    if ((text ? sample.text : sample.json) != null) {
                        sample.refuse(ImportReason.EXTRA_MEMBER, "a second ." + extension);
                    } else if (size > bounds.maxLineBytes()) {
                        sample.refuse(
                                ImportReason.MEMBER_TOO_LARGE,
                                "."
                                        + extension
                                        + " has "
                                        + size
                                        + " bytes, more than "
                                        + bounds.maxLineBytes());
                    } else if (sample.problem == null) {
                        byte[] bytes = read(size);
                        if (text) {
                            sample.text = bytes;
                        } else {
                            sample.json = bytes;
                        }
                    }
                } else {
                    context.skip("unknown_member");
                }
            }

            private byte[] read(long size) throws IOException {
                byte[] bytes = tar.readNBytes((int) size);
                if (bytes.length < size) {
                    throw new EOFException(
                            "Truncated TAR archive: member ends after "
                                    + bytes.length
                                    + " of "
                                    + size
                                    + " bytes");
                }
                return bytes;
            }

            private void rejectNonAdjacent(String key, String part) {
                context.reject(
                        0,
                        ImportReason.NON_ADJACENT_MEMBERS,
                        "sample "
                                + BoundedText.cap(key, 80)
                                + ": "
                                + part
                                + "; its members are not adjacent in the shard (another"
                                + " sample's members between them)");
            }

            /** The shard is over: the refusals kept back get their own reasons. */
            private void flushWaiting() {
                for (Map.Entry<String, Refusal> e : waiting.entrySet()) {
                    rejectAs(e.getKey(), e.getValue());
                }
                waiting.clear();
            }

            private void rejectAs(String key, Refusal r) {
                context.reject(
                        0, r.reason(), "sample " + BoundedText.cap(key, 80) + ": " + r.detail());
            }

            private RawPair truncated(IOException e) {
                return truncatedAfter(null, e);
            }

            /** Refuses the pending sample; {@code finished} (the one before it) still counts. */
            private RawPair truncatedAfter(RawPair finished, IOException e) {
                done = true;
                context.reject(
                        0,
                        ImportReason.TRUNCATED_TAR,
                        "shard ends inside "
                                + (current == null
                                        ? "a header"
                                        : "sample " + BoundedText.cap(current.key, 80))
                                + ": "
                                + e.getMessage());
                current = null;
                flushWaiting();
                return finished;
            }

            private RawPair finish(Sample sample) {
                if (sample == null) {
                    return null;
                }
                finished.put(sample.key, Boolean.TRUE);
                if (sample.nonAdjacent) {
                    rejectNonAdjacent(sample.key, "a later part");
                    return null;
                }
                try {
                    return pair(context, sample);
                } catch (Refusal r) {
                    if (r.reason() == ImportReason.MISSING_IMAGE
                            || r.reason() == ImportReason.MISSING_CAPTION) {
                        // Its missing member may still come, later in the shard.
                        Map.Entry<String, Refusal> evicted = waiting.putEvicting(sample.key, r);
                        if (evicted != null) {
                            rejectAs(evicted.getKey(), evicted.getValue());
                        }
                    } else {
                        rejectAs(sample.key, r);
                    }
                    return null;
                }
            }

            @Override
            public void close() throws IOException {
                tar.close();
            }
        };
    }

    private static boolean isTruncation(IOException e) {
        String message = e.getMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains("truncated");
    }

    private static RawPair pair(Context context, Sample sample) throws Refusal {
        if (sample.problem != null) {
            throw sample.problem;
        }
        if (sample.image == null) {
            throw new Refusal(ImportReason.MISSING_IMAGE, "no .jpg, .jpeg, .png or .webp member");
        }
        JsonNode json = null;
        if (sample.json != null) {
            try {
                json = JSON.readTree(sample.json);
            } catch (IOException e) {
                throw new Refusal(ImportReason.NOT_JSON, ".json: " + e.getMessage());
            }
            if (json == null || !json.isObject()) {
                throw new Refusal(ImportReason.NOT_JSON, ".json is not a JSON object");
            }
        }
        String caption;
        if (sample.text != null) {
            caption = stripNewline(utf8(sample.text));
        } else {
            caption = json == null ? null : text(json, "caption");
            if (caption == null) {
                throw new Refusal(
                        ImportReason.MISSING_CAPTION, "no .txt member and no caption in .json");
            }
        }
        Map<String, String> attributes = new HashMap<>();
        String language = null;
        if (json != null) {
            for (String a : JSON_ATTRIBUTES) {
                attributes.put(a, text(json, a));
            }
            language = text(json, "language");
            if (language == null) {
                language = text(json, "LANGUAGE");
            }
        }
        return context.bytesPair(sample.key, sample.image, caption, language, attributes);
    }

    private static String text(JsonNode json, String field) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    private static String utf8(byte[] bytes) throws Refusal {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refusal(ImportReason.NOT_UTF8, ".txt is not valid UTF-8");
        }
    }

    private static String stripNewline(String s) {
        int end = s.length();
        if (end > 0 && s.charAt(end - 1) == '\n') {
            end--;
            if (end > 0 && s.charAt(end - 1) == '\r') {
                end--;
            }
        }
        return s.substring(0, end);
    }
}
