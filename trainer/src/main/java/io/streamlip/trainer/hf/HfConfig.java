package io.streamlip.trainer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.trainer.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Hugging Face SigLIP {@code config.json} ({@code SiglipConfig} with its {@code text_config} and
 * {@code vision_config}) read into a {@link ModelConfig} and written back from one. A field a
 * config leaves out takes transformers' current default, which is {@code
 * google/siglip-base-patch16-224}'s; writing states every field, so no reader depends on defaults.
 */
public final class HfConfig {
    /** The activation SigLIP's MLPs use, as transformers names it. */
    public static final String GELU_TANH = "gelu_pytorch_tanh";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfConfig() {}

    /**
     * The model {@code file} describes, named {@code name}.
     *
     * @throws IllegalArgumentException naming what this project's model cannot express (another
     *     model type, activation, channel count, towers of different widths, an image size the
     *     patch size does not divide)
     */
    public static ModelConfig read(Path file, String name) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + " is not a JSON object");
        }
        String type = root.path("model_type").asText("siglip");
        if (!type.equals("siglip")) {
            throw new IllegalArgumentException(
                    file + " describes a '" + type + "' model, not a 'siglip' one");
        }
        JsonNode text = root.path("text_config");
        JsonNode vision = root.path("vision_config");
        List<String> problems = new ArrayList<>();
        for (JsonNode tower : List.of(text, vision)) {
            String act = tower.path("hidden_act").asText(GELU_TANH);
            if (!act.equals(GELU_TANH) && !act.equals("gelu_new")) {
                problems.add("activation " + act + " (only " + GELU_TANH + ")");
            }
        }
        if (vision.path("num_channels").asInt(3) != 3) {
            problems.add(vision.path("num_channels").asInt() + " image channels (only 3)");
        }
        double eps = vision.path("layer_norm_eps").asDouble(1e-6);
        if (text.path("layer_norm_eps").asDouble(1e-6) != eps) {
            problems.add("different LayerNorm epsilons in the two towers");
        }
        int imageMlp = vision.path("intermediate_size").asInt(3072);
        int textMlp = text.path("intermediate_size").asInt(3072);
        if (imageMlp != textMlp) {
            problems.add("MLP widths " + imageMlp + " and " + textMlp + " differ between towers");
        }
        int width = vision.path("hidden_size").asInt(768);
        int textWidth = text.path("hidden_size").asInt(768);
        int projection = text.path("projection_size").asInt(textWidth);
        if (projection != width) {
            problems.add(
                    "text projection to "
                            + projection
                            + " wide embeddings, image embeddings "
                            + width
                            + " wide");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    file
                            + " is a SigLIP this project cannot build: "
                            + String.join("; ", problems));
        }
        ModelConfig config =
                ModelConfig.builder()
                        .name(name)
                        .imageSize(vision.path("image_size").asInt(224))
                        .patchSize(vision.path("patch_size").asInt(16))
                        .imageWidth(width)
                        .imageDepth(vision.path("num_hidden_layers").asInt(12))
                        .imageHeads(vision.path("num_attention_heads").asInt(12))
                        .textWidth(textWidth)
                        .textDepth(text.path("num_hidden_layers").asInt(12))
                        .textHeads(text.path("num_attention_heads").asInt(12))
                        .mlpWidth(imageMlp)
                        .embedDim(width)
                        .contextLength(text.path("max_position_embeddings").asInt(64))
                        .vocabSize(text.path("vocab_size").asInt(32000))
                        .textPooling(ModelConfig.TextPooling.FINAL)
                        .build();
        return SiglipNames.hfLayout(config).toBuilder()
                .layerNormEps(eps)
                .padTokenId(text.path("pad_token_id").asInt(1))
                .build();
    }

    /** Writes {@code config} ({@link SiglipNames#requireHfLayout}) as a {@code config.json}. */
    public static void write(ModelConfig config, Path file) throws IOException {
        SiglipNames.requireHfLayout(config);
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("SiglipModel");
        root.put("model_type", "siglip");
        root.put("initializer_factor", 1.0);
        root.put("torch_dtype", "float32");
        ObjectNode text = root.putObject("text_config");
        text.put("model_type", "siglip_text_model");
        text.put("vocab_size", config.vocabSize());
        text.put("hidden_size", config.textWidth());
        text.put("intermediate_size", config.textMlpWidth());
        text.put("projection_size", config.embedDim());
        text.put("num_hidden_layers", config.textDepth());
        text.put("num_attention_heads", config.textHeads());
        text.put("max_position_embeddings", config.contextLength());
        text.put("hidden_act", activation(config));
        text.put("layer_norm_eps", config.layerNormEps());
        text.put("attention_dropout", 0.0);
        text.put("pad_token_id", config.padTokenId());
        ObjectNode vision = root.putObject("vision_config");
        vision.put("model_type", "siglip_vision_model");
        vision.put("hidden_size", config.imageWidth());
        vision.put("intermediate_size", config.imageMlpWidth());
        vision.put("num_hidden_layers", config.imageDepth());
        vision.put("num_attention_heads", config.imageHeads());
        vision.put("num_channels", 3);
        vision.put("image_size", config.imageSize());
        vision.put("patch_size", config.patchSize());
        vision.put("hidden_act", activation(config));
        vision.put("layer_norm_eps", config.layerNormEps());
        vision.put("attention_dropout", 0.0);
        JSON.writeValue(file.toFile(), root);
    }

    private static String activation(ModelConfig config) {
        if (config.mlpActivation() != ModelConfig.MlpActivation.GELU_TANH) {
            throw new IllegalArgumentException(
                    "model '"
                            + config.name()
                            + "' uses "
                            + config.mlpActivation()
                            + "; Hugging Face SigLIP's MLPs use the tanh GELU");
        }
        return GELU_TANH;
    }
}
