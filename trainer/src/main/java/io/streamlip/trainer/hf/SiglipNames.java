package io.streamlip.trainer.hf;

import io.streamlip.trainer.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one mapping between this project's SigLIP parameters and Hugging Face transformers' {@code
 * SiglipModel} state dict ({@code modeling_siglip.py}).
 *
 * <p>A {@link Group} pairs parameters of both sides whose values, flattened row-major and
 * concatenated in the listed order, are the same numbers: most pairs are one to one (a reshape at
 * most, e.g. positions (1, P, W) against (P, W)); the fused attention projections are many to one
 * ({@code qkv} against {@code q_proj}, {@code k_proj}, {@code v_proj}; the MAP head's {@code query}
 * and {@code key_value} against {@code in_proj_weight}), since concatenating along the first axis
 * is concatenating the flat values. Streamlip names are {@linkplain #canonical canonical}: DJL's
 * block-order prefixes removed.
 */
public final class SiglipNames {
    // DJL prefixes every child block's name with its two-digit position: "01image_02block_0_...".
    private static final Pattern ORDER_PREFIX = Pattern.compile("(^|_)\\d{2}(?=[a-z])");

    private SiglipNames() {}

    /** A Hugging Face tensor: its state-dict name and shape. */
    public record HfTensor(String name, long... shape) {
        /** Elements of the tensor. */
        public long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /**
     * Parameters of both sides holding the same values.
     *
     * @param streamlip canonical names of this project's parameters, in concatenation order
     * @param hf the Hugging Face tensors, in concatenation order
     */
    public record Group(List<String> streamlip, List<HfTensor> hf) {
        public Group {
            streamlip = List.copyOf(streamlip);
            hf = List.copyOf(hf);
        }
    }

    /**
     * A DJL parameter name without DJL's block-order prefixes, e.g. {@code
     * image_block_0_qkv_weight}.
     */
    public static String canonical(String djlName) {
        return ORDER_PREFIX.matcher(djlName).replaceAll("$1");
    }

    /**
     * {@code config} with Hugging Face SigLIP's architecture choices and its own sizes: MAP image
     * pooling, final-position text pooling with padding id 1, LayerNorm epsilon 1e-6, tanh GELU, no
     * image projection (embeddings as wide as the image tower) and a text projection with a bias.
     */
    public static ModelConfig hfLayout(ModelConfig config) {
        return config.toBuilder()
                .mlpWidth(config.imageMlpWidth())
                .mlpRatio(0)
                .imagePooling(ModelConfig.ImagePooling.MAP)
                .textPooling(ModelConfig.TextPooling.FINAL)
                .padTokenId(1)
                .layerNormEps(1e-6)
                .mlpActivation(ModelConfig.MlpActivation.GELU_TANH)
                .imageProjection(false)
                .embedDim(config.imageWidth())
                .textProjectionBias(true)
                .build();
    }

    /**
     * Checks that {@code config} has Hugging Face SigLIP's architecture (not necessarily its sizes
     * or epsilon): what {@link #groups} maps.
     *
     * @throws IllegalArgumentException naming every difference
     */
    public static void requireHfLayout(ModelConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.imagePooling() != ModelConfig.ImagePooling.MAP) {
            problems.add("image pooling " + config.imagePooling() + " (SigLIP's is MAP)");
        }
        if (config.textPooling() != ModelConfig.TextPooling.FINAL) {
            problems.add("text pooling " + config.textPooling() + " (SigLIP's is FINAL)");
        }
        if (config.imageProjection()) {
            problems.add("an image projection (SigLIP has none)");
        }
        if (!config.textProjectionBias()) {
            problems.add("a text projection without bias (SigLIP's head has one)");
        }
        if (config.imageWidth() != config.textWidth()) {
            problems.add(
                    "image width "
                            + config.imageWidth()
                            + " and text width "
                            + config.textWidth()
                            + " differ (transformers' SiglipTextTransformer head is square)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "model '"
                            + config.name()
                            + "' does not have Hugging Face SigLIP's architecture: "
                            + String.join("; ", problems)
                            + " (the b16 and so400m presets do)");
        }
    }

    /** Every parameter of a model of {@code config} ({@link #requireHfLayout}), grouped. */
    public static List<Group> groups(ModelConfig config) {
        requireHfLayout(config);
        long w = config.imageWidth();
        long p = config.patchSize();
        long mlp = config.imageMlpWidth();
        List<Group> out = new ArrayList<>();
        String v = "vision_model.";
        one(
                out,
                "image_patch_embedding_weight",
                v + "embeddings.patch_embedding.weight",
                w,
                3,
                p,
                p);
        one(out, "image_patch_embedding_bias", v + "embeddings.patch_embedding.bias", w);
        one(
                out,
                "image_positions",
                v + "embeddings.position_embedding.weight",
                config.patchCount(),
                w);
        for (int i = 0; i < config.imageDepth(); i++) {
            layer(out, "image_block_" + i + "_", v + "encoder.layers." + i + ".", w, mlp);
        }
        norm(out, "image_final_norm_", v + "post_layernorm.", w);
        String head = v + "head.";
        one(out, "image_map_head_probe", head + "probe", 1, 1, w);
        out.add(
                new Group(
                        List.of("image_map_head_query_weight", "image_map_head_key_value_weight"),
                        List.of(new HfTensor(head + "attention.in_proj_weight", 3 * w, w))));
        out.add(
                new Group(
                        List.of("image_map_head_query_bias", "image_map_head_key_value_bias"),
                        List.of(new HfTensor(head + "attention.in_proj_bias", 3 * w))));
        linear(out, "image_map_head_attention_out_", head + "attention.out_proj.", w, w);
        norm(out, "image_map_head_mlp_norm_", head + "layernorm.", w);
        linear(out, "image_map_head_mlp_in_", head + "mlp.fc1.", mlp, w);
        linear(out, "image_map_head_mlp_out_", head + "mlp.fc2.", w, mlp);

        long tw = config.textWidth();
        long tmlp = config.textMlpWidth();
        String t = "text_model.";
        one(
                out,
                "text_token_table",
                t + "embeddings.token_embedding.weight",
                config.vocabSize(),
                tw);
        one(
                out,
                "text_positions",
                t + "embeddings.position_embedding.weight",
                config.contextLength(),
                tw);
        for (int i = 0; i < config.textDepth(); i++) {
            layer(out, "text_block_" + i + "_", t + "encoder.layers." + i + ".", tw, tmlp);
        }
        norm(out, "text_final_norm_", t + "final_layer_norm.", tw);
        linear(out, "text_projection_", t + "head.", config.embedDim(), tw);
        one(out, "log_temperature", "logit_scale", 1);
        one(out, "bias", "logit_bias", 1);
        return out;
    }

    private static void layer(List<Group> out, String ours, String theirs, long w, long mlp) {
        norm(out, ours + "attention_norm_", theirs + "layer_norm1.", w);
        String attn = theirs + "self_attn.";
        out.add(
                new Group(
                        List.of(ours + "qkv_weight"),
                        List.of(
                                new HfTensor(attn + "q_proj.weight", w, w),
                                new HfTensor(attn + "k_proj.weight", w, w),
                                new HfTensor(attn + "v_proj.weight", w, w))));
        out.add(
                new Group(
                        List.of(ours + "qkv_bias"),
                        List.of(
                                new HfTensor(attn + "q_proj.bias", w),
                                new HfTensor(attn + "k_proj.bias", w),
                                new HfTensor(attn + "v_proj.bias", w))));
        linear(out, ours + "attention_out_", attn + "out_proj.", w, w);
        norm(out, ours + "mlp_norm_", theirs + "layer_norm2.", w);
        linear(out, ours + "mlp_in_", theirs + "mlp.fc1.", mlp, w);
        linear(out, ours + "mlp_out_", theirs + "mlp.fc2.", w, mlp);
    }

    private static void norm(List<Group> out, String ours, String theirs, long w) {
        one(out, ours + "gamma", theirs + "weight", w);
        one(out, ours + "beta", theirs + "bias", w);
    }

    private static void linear(List<Group> out, String ours, String theirs, long units, long in) {
        one(out, ours + "weight", theirs + "weight", units, in);
        one(out, ours + "bias", theirs + "bias", units);
    }

    private static void one(List<Group> out, String ours, String theirs, long... shape) {
        out.add(new Group(List.of(ours), List.of(new HfTensor(theirs, shape))));
    }
}
