package io.streamlip.tokenize.subword;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link BpeModel} as a Hugging Face {@code tokenizer.json} and reads one back. The file
 * says everything the Java encoder does: an {@code NFC} normalizer, a {@code Split} pre-tokenizer
 * with {@link ByteLevel#SPLIT_PATTERN} followed by {@code ByteLevel} without its own regex, a
 * {@code BPE} model without unknown token, and a {@code TemplateProcessing} post-processor that
 * appends the end-of-sequence token. So the {@code tokenizers} library (Python, Rust, the DJL
 * binding) encodes a caption to the same ids.
 */
public final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = new JsonFactory();

    private TokenizerJson() {}

    /** The {@code tokenizer.json} bytes of {@code model} (UTF-8, deterministic). */
    public static byte[] write(BpeModel model) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("version", "1.0");
            g.writeNullField("truncation");
            g.writeNullField("padding");
            g.writeArrayFieldStart("added_tokens");
            g.writeEndArray();
            g.writeObjectFieldStart("normalizer");
            g.writeStringField("type", "NFC");
            g.writeEndObject();
            writePreTokenizer(g);
            writePostProcessor(g);
            g.writeObjectFieldStart("decoder");
            g.writeStringField("type", "ByteLevel");
            g.writeBooleanField("add_prefix_space", false);
            g.writeBooleanField("trim_offsets", false);
            g.writeBooleanField("use_regex", false);
            g.writeEndObject();
            writeModel(g, model);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writePreTokenizer(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("pre_tokenizer");
        g.writeStringField("type", "Sequence");
        g.writeArrayFieldStart("pretokenizers");
        g.writeStartObject();
        g.writeStringField("type", "Split");
        g.writeObjectFieldStart("pattern");
        g.writeStringField("Regex", ByteLevel.SPLIT_PATTERN);
        g.writeEndObject();
        g.writeStringField("behavior", "Isolated");
        g.writeBooleanField("invert", false);
        g.writeEndObject();
        g.writeStartObject();
        g.writeStringField("type", "ByteLevel");
        g.writeBooleanField("add_prefix_space", false);
        g.writeBooleanField("trim_offsets", false);
        g.writeBooleanField("use_regex", false);
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writePostProcessor(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("post_processor");
        g.writeStringField("type", "TemplateProcessing");
        g.writeArrayFieldStart("single");
        sequence(g, "A", 0);
        special(g, 0);
        g.writeEndArray();
        g.writeArrayFieldStart("pair");
        sequence(g, "A", 0);
        sequence(g, "B", 1);
        special(g, 1);
        g.writeEndArray();
        g.writeObjectFieldStart("special_tokens");
        g.writeObjectFieldStart(BpeModel.EOS);
        g.writeStringField("id", BpeModel.EOS);
        g.writeArrayFieldStart("ids");
        g.writeNumber(BpeModel.EOS_ID);
        g.writeEndArray();
        g.writeArrayFieldStart("tokens");
        g.writeString(BpeModel.EOS);
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void sequence(JsonGenerator g, String id, int typeId) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("Sequence");
        g.writeStringField("id", id);
        g.writeNumberField("type_id", typeId);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void special(JsonGenerator g, int typeId) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("SpecialToken");
        g.writeStringField("id", BpeModel.EOS);
        g.writeNumberField("type_id", typeId);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeModel(JsonGenerator g, BpeModel model) throws IOException {
        g.writeObjectFieldStart("model");
        g.writeStringField("type", "BPE");
        g.writeNullField("dropout");
        g.writeNullField("unk_token");
        g.writeNullField("continuing_subword_prefix");
        g.writeNullField("end_of_word_suffix");
        g.writeBooleanField("fuse_unk", false);
        g.writeBooleanField("byte_fallback", false);
        g.writeBooleanField("ignore_merges", false);
        g.writeObjectFieldStart("vocab");
        List<String> vocab = model.vocab();
        for (int i = 0; i < vocab.size(); i++) {
            g.writeNumberField(vocab.get(i), i);
        }
        g.writeEndObject();
        // "left right": byte-level symbols never contain a space (it is the symbol U+0120).
        g.writeArrayFieldStart("merges");
        for (String[] m : model.merges()) {
            g.writeString(m[0] + " " + m[1]);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * Reads a {@code tokenizer.json} that {@link #write} made (or one with the same normalizer,
     * pre-tokenizer and model settings); anything else is refused, since the Java encoder would not
     * reproduce it. Such files still load through the DJL binding.
     */
    public static BpeModel read(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON tokenizer file: " + e.getMessage(), e);
        }
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())) {
            throw new IllegalArgumentException(
                    "the Java encoder reads byte-level BPE files; model type is "
                            + model.path("type").asText("missing"));
        }
        String pattern =
                root.path("pre_tokenizer")
                        .path("pretokenizers")
                        .path(0)
                        .path("pattern")
                        .path("Regex")
                        .asText("");
        if (!ByteLevel.SPLIT_PATTERN.equals(pattern)
                || !"NFC".equals(root.path("normalizer").path("type").asText())) {
            throw new IllegalArgumentException(
                    "the Java encoder reads files written by streamlip's trainer (NFC and its"
                            + " Split pattern); use the DJL engine for other tokenizer.json files");
        }
        JsonNode vocabNode = model.path("vocab");
        String[] byId = new String[vocabNode.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt(-1);
            if (id < 0 || id >= byId.length || byId[id] != null) {
                throw new IllegalArgumentException("vocabulary ids must be 0.." + byId.length);
            }
            byId[id] = e.getKey();
        }
        List<String[]> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            if (m.isArray()) {
                merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            } else {
                String s = m.asText();
                int space = s.indexOf(' ');
                if (space < 0) {
                    throw new IllegalArgumentException("malformed merge '" + s + "'");
                }
                merges.add(new String[] {s.substring(0, space), s.substring(space + 1)});
            }
        }
        return new BpeModel(List.of(byId), merges);
    }
}
