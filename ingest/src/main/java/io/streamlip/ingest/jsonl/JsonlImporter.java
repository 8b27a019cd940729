package io.streamlip.ingest.jsonl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.ingest.importer.BoundedLines;
import io.streamlip.ingest.importer.FileImporter;
import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.ImportReason;
import io.streamlip.ingest.importer.Refusal;
import io.streamlip.schemas.RawPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Imports JSON Lines of pairs, one object per line:
 *
 * <pre>{"url": "https://example.com/a.jpg", "caption": "a red bus", "language": "en"}
 * {"image_base64": "iVBORw0KGgo...", "caption": "a red bus"}</pre>
 *
 * <p>The caption is {@code caption} (or {@code text}, {@code alt_text}, {@code TEXT}); the image
 * either a URL ({@code url}, {@code image_url} or {@code URL}: the pair carries {@code image_url}
 * and the fetch stage gets it) or its bytes in standard base64 ({@code image_base64}: the pair
 * carries them, and a URL given beside them is kept as the {@code url} attribute). Optional: {@code
 * language} ({@code lang}, {@code LANGUAGE}), {@code width}, {@code height}, {@code similarity}
 * (attributes). Other keys are ignored. Pairs have id {@code ...:<line>}. (A folder with a {@code
 * pairs.jsonl} of image paths is the pairs-folder format instead.)
 *
 * <p>Refused lines: longer than {@link ImportBounds#maxJsonlLineBytes()} or a field beyond its
 * bound ({@code field_too_large}, {@code member_too_large} for the image), not UTF-8 ({@code
 * not_utf8}), not a JSON object ({@code not_json}), without a caption or an image ({@code
 * missing_field}), a URL that is not http(s) ({@code bad_url}), bad base64 ({@code bad_base64}).
 */
public final class JsonlImporter extends FileImporter {
    private static final ObjectMapper JSON = new ObjectMapper();

    public JsonlImporter(Path path, List<Path> files, ImportBounds bounds, Instant crawlTime) {
        super("jsonl", path, files, bounds, crawlTime);
    }

    @Override
    protected Cursor open(Path file, Context context) throws IOException {
        long max = context.bounds().maxJsonlLineBytes();
        BoundedLines lines = new BoundedLines(Files.newInputStream(file), max);
        return new Cursor() {
            @Override
            public RawPair next() throws IOException {
                while (lines.next()) {
                    long n = lines.number();
                    try {
                        if (lines.tooLong()) {
                            throw new Refusal(
                                    ImportReason.FIELD_TOO_LARGE,
                                    "line longer than " + max + " bytes");
                        }
                        String line = lines.text();
                        if (line.isBlank()) {
                            continue;
                        }
                        return pair(context, n, line);
                    } catch (Refusal r) {
                        context.reject(n, r);
                    }
                }
                return null;
            }

            @Override
            public void close() throws IOException {
                lines.close();
            }
        };
    }

    private static RawPair pair(Context context, long n, String line) throws Refusal {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new Refusal(ImportReason.NOT_JSON, "not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new Refusal(ImportReason.NOT_JSON, "not a JSON object");
        }
        String caption = text(node, "caption", "text", "alt_text", "TEXT");
        String url = text(node, "url", "image_url", "URL");
        String language = text(node, "language", "lang", "LANGUAGE");
        Map<String, String> attributes = new HashMap<>(4);
        attributes.put("width", text(node, "width", "WIDTH"));
        attributes.put("height", text(node, "height", "HEIGHT"));
        attributes.put("similarity", text(node, "similarity"));
        String base64 = text(node, "image_base64");
        String id = Long.toString(n);
        if (base64 == null) {
            return context.urlPair(id, url, caption, language, attributes);
        }
        byte[] image;
        try {
            image = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new Refusal(ImportReason.BAD_BASE64, "image_base64: " + e.getMessage());
        }
        attributes.put("url", url);
        return context.bytesPair(id, image, caption, language, attributes);
    }

    private static String text(JsonNode node, String... names) throws Refusal {
        for (String name : names) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isValueNode()) {
                throw new Refusal(
                        ImportReason.MISSING_FIELD, "\"" + name + "\" must be a string or number");
            }
            return v.asText();
        }
        return null;
    }
}
