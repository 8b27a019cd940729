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
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Imports WebDataset tar shards as img2dataset and open_clip write them: per sample one image
 * ({@code .jpg}, {@code .jpeg}, {@code .png} or {@code .webp}), its caption ({@code .txt}, UTF-8)
 * and optional metadata ({@code .json}), members of one sample adjacent. A member's sample key is
 * its name up to the first dot of its base name ({@code part/000123.jpg} is key {@code
 * part/000123}, extension {@code jpg}), as webdataset groups them. Pairs carry the image's bytes,
 * id {@code ...:<key>}; from the {@code .json}: the caption when there is no {@code .txt}, {@code
 * language}, and the attributes {@code url}, {@code key}, {@code width}, {@code height}, {@code
 * original_width}, {@code original_height}, {@code similarity}, {@code sha256}.
 *
 * <p>Refused samples: no image ({@code missing_image}); no caption ({@code missing_caption}); two
 * members of one kind ({@code extra_member}); a member beyond its bound, not read ({@code
 * member_too_large}: the image {@link ImportBounds#maxImageBytes()}, text and JSON {@link
 * ImportBounds#maxLineBytes()}); a {@code .txt} that is not UTF-8 ({@code not_utf8}); a {@code
 * .json} that is not a JSON object ({@code not_json}); a field beyond its bound ({@code
 * field_too_large}). A shard that ends inside a member refuses the pending sample as {@code
 * truncated_tar} and the import goes on with the next shard. Members of other kinds are passed over
 * and counted under skipped {@code unknown_member}, entries that are not files under {@code
 * non_file_member}.
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
        TarArchiveInputStream tar =
                new TarArchiveInputStream(
                        new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        ImportBounds bounds = context.bounds();
        return new Cursor() {
            private Sample current;
            private boolean done;

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
                        return finish(current);
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
                return finished;
            }

            private RawPair finish(Sample sample) {
                if (sample == null) {
                    return null;
                }
                try {
                    return pair(context, sample);
                } catch (Refusal r) {
                    context.reject(
                            0,
                            r.reason(),
                            "sample " + BoundedText.cap(sample.key, 80) + ": " + r.detail());
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
