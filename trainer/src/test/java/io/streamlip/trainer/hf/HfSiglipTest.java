package io.streamlip.trainer.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.tokenize.sentencepiece.SentencePieceModels;
import io.streamlip.tokenize.sentencepiece.SentencePieceTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.SiglipModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfSiglipTest {
    /** SigLIP's tokenizer canonicalizes captions, as transformers' SiglipTokenizer does. */
    private static final SentencePieceTokenizer TOKENIZER =
            SentencePieceTokenizer.of(
                    SentencePieceModels.unigram(List.of("cat", "dog", "photo", "of", "a"), true),
                    32,
                    true);

    /** The {@code tiny} sizes in Hugging Face SigLIP's layout, two blocks per tower. */
    static ModelConfig tinyHf() {
        return SiglipNames.hfLayout(
                ModelConfig.tiny(TOKENIZER.vocabSize()).toBuilder()
                        .imageDepth(2)
                        .textDepth(2)
                        .build());
    }

    /**
     * A random model of {@code config} whose norms and biases are random too (not ones and zeros),
     * so a swapped weight and bias, or gamma and beta, changes the outputs.
     */
    static SiglipModel randomModel(ModelConfig config, NDManager manager, long seed) {
        SiglipModel model = SiglipModel.create(config, manager, (int) seed);
        Random random = new Random(seed);
        for (Pair<String, Parameter> p : model.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (array.getShape().dimension() == 1 && array.size() > 1) {
                float[] v = new float[(int) array.size()];
                boolean gamma = p.getKey().endsWith("gamma");
                for (int i = 0; i < v.length; i++) {
                    v[i] = (gamma ? 1f : 0f) + 0.1f * (float) random.nextGaussian();
                }
                array.set(FloatBuffer.wrap(v));
            }
        }
        return model;
    }

    @Test
    void everyParameterMapsExactlyOnceWithItsSize() {
        ModelConfig config = tinyHf();
        try (NDManager manager = NDManager.newBaseManager()) {
            SiglipModel model = SiglipModel.create(config, manager, 1);
            Map<String, Parameter> ours = HfSiglip.byCanonicalName(model);
            Set<String> mapped = new HashSet<>();
            Set<String> hfNames = new HashSet<>();
            for (SiglipNames.Group group : SiglipNames.groups(config)) {
                long ourSize = 0;
                for (String name : group.streamlip()) {
                    assertThat(mapped.add(name)).as("mapped twice: " + name).isTrue();
                    assertThat(ours).containsKey(name);
                    ourSize += ours.get(name).getArray().size();
                }
                long theirSize = 0;
                for (SiglipNames.HfTensor t : group.hf()) {
                    assertThat(hfNames.add(t.name())).isTrue();
                    theirSize += t.size();
                }
                assertThat(ourSize).as(group.toString()).isEqualTo(theirSize);
            }
            assertThat(mapped).isEqualTo(ours.keySet());
            assertThat(hfNames)
                    .contains(
                            "vision_model.encoder.layers.1.self_attn.k_proj.weight",
                            "vision_model.head.attention.in_proj_weight",
                            "text_model.head.bias",
                            "logit_scale");
        }
    }

    @Test
    void canonicalNamesDropDjlsBlockOrderPrefixes() {
        assertThat(SiglipNames.canonical("01image_12block_10_01attention_norm_gamma"))
                .isEqualTo("image_block_10_attention_norm_gamma");
        assertThat(SiglipNames.canonical("02text_03projection_bias"))
                .isEqualTo("text_projection_bias");
        assertThat(SiglipNames.canonical("log_temperature")).isEqualTo("log_temperature");
    }

    @Test
    void b16AndSo400mHaveTheReleasedModelsParameterCounts() {
        // Counted from the shapes transformers' SiglipModel gives these configurations (vision
        // encoder, MAP head, text tower, logit scale and bias); So400m/14 at 224 px.
        assertThat(hfParameters(ModelConfig.b16(32_000))).isEqualTo(203_155_970L);
        assertThat(hfParameters(ModelConfig.so400m(32_000))).isEqualTo(877_415_602L);
        ModelConfig so400m = ModelConfig.so400m(32_000);
        assertThat(so400m.imageMlpWidth()).isEqualTo(4304);
        assertThat(so400m.textMlpWidth()).isEqualTo(4304);
        assertThat(so400m.imageWidth() / so400m.imageHeads()).isEqualTo(72);
    }

    private static long hfParameters(ModelConfig config) {
        long n = 0;
        for (SiglipNames.Group g : SiglipNames.groups(config)) {
            for (SiglipNames.HfTensor t : g.hf()) {
                n += t.size();
            }
        }
        return n;
    }

    @Test
    void importOfAnExportIsBitIdentical(@TempDir Path dir) throws IOException {
        ModelConfig config = tinyHf();
        Path original;
        try (NDManager manager = NDManager.newBaseManager()) {
            original =
                    HfSiglip.writeCheckpoint(
                            randomModel(config, manager, 3), TOKENIZER, dir.resolve("a"), "test");
        }
        HfSiglip.Result exported = HfSiglip.exportCheckpoint(original, dir.resolve("hf1"));
        // Vision: patches 2, positions, 2 layers of 16, post norm 2, head 11; text: tables 2,
        // 2 layers of 16, final norm 2, head 2; logit scale and bias.
        assertThat(exported.tensors()).isEqualTo(3 + 2 * 16 + 2 + 11 + 2 + 2 * 16 + 2 + 2 + 2);
        assertThat(dir.resolve("hf1/spiece.model"))
                .hasSameBinaryContentAs(original.resolve("tokenizer.model"));
        HfSiglip.Result imported = HfSiglip.importFolder(dir.resolve("hf1"), dir.resolve("b"));
        assertThat(imported.model()).isEqualTo(config.toBuilder().name("siglip-hf").build());
        assertThat(imported.tokenizer()).isEqualTo(TOKENIZER.version());
        assertThat(CheckpointStore.tokenizer(imported.checkpoint()).version())
                .isEqualTo(TOKENIZER.version());
        HfSiglip.exportCheckpoint(imported.checkpoint(), dir.resolve("hf2"));
        assertThat(dir.resolve("hf2/model.safetensors"))
                .hasSameBinaryContentAs(dir.resolve("hf1/model.safetensors"));
        assertThat(dir.resolve("hf2/config.json"))
                .hasSameTextualContentAs(dir.resolve("hf1/config.json"));
        assertThat(parameters(imported.checkpoint(), imported.model()))
                .isEqualTo(parameters(original, config));
    }

    @Test
    void aFolderThatDoesNotFitItsConfigIsRefused(@TempDir Path dir) throws IOException {
        ModelConfig config = tinyHf();
        try (NDManager manager = NDManager.newBaseManager()) {
            HfSiglip.exportCheckpoint(
                    HfSiglip.writeCheckpoint(
                            randomModel(config, manager, 3), TOKENIZER, dir.resolve("a"), "test"),
                    dir.resolve("hf"));
        }
        Path hf = dir.resolve("hf");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(hf.resolve("config.json").toFile());
        ((ObjectNode) root.get("vision_config")).put("intermediate_size", 128);
        ((ObjectNode) root.get("text_config")).put("intermediate_size", 128);
        json.writeValue(hf.resolve("config.json").toFile(), root);
        assertThatThrownBy(() -> HfSiglip.importFolder(hf, dir.resolve("b")))
                .hasMessageContaining(
                        "mlp.fc1.weight is [256, 64], the configuration makes it" + " [128, 64]");
        ((ObjectNode) root.get("vision_config")).put("hidden_act", "quick_gelu");
        json.writeValue(hf.resolve("config.json").toFile(), root);
        assertThatThrownBy(() -> HfSiglip.importFolder(hf, dir.resolve("b")))
                .hasMessageContaining("activation quick_gelu");
        Files.delete(hf.resolve("spiece.model"));
        assertThatThrownBy(() -> HfSiglip.importFolder(hf, dir.resolve("b")))
                .hasMessageContaining("holds no spiece.model");
        assertThat(dir.resolve("b")).doesNotExist();
    }

    @Test
    void aModelWithoutSiglipsLayoutIsNotExported(@TempDir Path dir) throws IOException {
        ModelConfig small = ModelConfig.tiny(TOKENIZER.vocabSize());
        Path checkpoint;
        try (NDManager manager = NDManager.newBaseManager()) {
            checkpoint =
                    HfSiglip.writeCheckpoint(
                            SiglipModel.create(small, manager, 1), TOKENIZER, dir, "test");
        }
        assertThatThrownBy(() -> HfSiglip.exportCheckpoint(checkpoint, dir.resolve("hf")))
                .hasMessageContaining("does not have Hugging Face SigLIP's architecture")
                .hasMessageContaining("image pooling MEAN")
                .hasMessageContaining("an image projection");
    }

    @Test
    void safetensorsReadsF16AndBf16AndRefusesDamagedFiles(@TempDir Path dir) throws IOException {
        // 1.5 and -2 in F16 (0x3e00, 0xc000) and BF16 (0x3fc0, 0xc000); 2^-24 is F16's smallest.
        Path file = dir.resolve("mixed.safetensors");
        String header =
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]},"
                        + "\"__metadata__\":{\"format\":\"pt\"}}";
        ByteBuffer data = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3e00).putShort((short) 0xc000).putShort((short) 0x0001);
        data.putShort((short) 0x3fc0).putShort((short) 0xc000);
        write(file, header, data.array());
        try (Safetensors.Reader r = Safetensors.open(file)) {
            assertThat(r.tensors()).containsOnlyKeys("h", "b");
            assertThat(r.read("h")).containsExactly(1.5f, -2f, 0x1p-24f);
            assertThat(r.read("b")).containsExactly(1.5f, -2f);
        }
        write(
                dir.resolve("i64.safetensors"),
                "{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                new byte[8]);
        assertThatThrownBy(() -> Safetensors.open(dir.resolve("i64.safetensors")))
                .hasMessageContaining("dtype 'I64'; only F32, F16 and BF16");
        write(
                dir.resolve("short.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                new byte[8]);
        assertThatThrownBy(() -> Safetensors.open(dir.resolve("short.safetensors")))
                .hasMessageContaining("lies outside the data");
        write(
                dir.resolve("size.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                new byte[8]);
        assertThatThrownBy(() -> Safetensors.open(dir.resolve("size.safetensors")))
                .hasMessageContaining("has 8 bytes for 3 F32 values");
        Path huge = dir.resolve("huge.safetensors");
        Files.write(
                huge,
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertThatThrownBy(() -> Safetensors.open(huge))
                .hasMessageContaining("is not between 2 and");
        write(dir.resolve("json.safetensors"), "[1, 2]", new byte[0]);
        assertThatThrownBy(() -> Safetensors.open(dir.resolve("json.safetensors")))
                .hasMessageContaining("not a JSON object");
    }

    @Test
    void safetensorsWritesWhatItReads(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("w.safetensors");
        float[] a = {1f, -0f, Float.MIN_VALUE, 3.25f, Float.NaN, 7f};
        Safetensors.write(
                file,
                List.of(
                        new Safetensors.Entry("a", new long[] {2, 3}, () -> a),
                        new Safetensors.Entry("empty", new long[] {0}, () -> new float[0])),
                Map.of("format", "pt"));
        long headerLength =
                ByteBuffer.wrap(Files.readAllBytes(file), 0, 8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getLong();
        assertThat((8 + headerLength) % 8).isZero();
        try (Safetensors.Reader r = Safetensors.open(file)) {
            assertThat(r.tensors().get("a").shape()).containsExactly(2, 3);
            float[] back = r.read("a");
            for (int i = 0; i < a.length; i++) {
                assertThat(Float.floatToRawIntBits(back[i]))
                        .isEqualTo(Float.floatToRawIntBits(a[i]));
            }
            assertThat(r.read("empty")).isEmpty();
        }
    }

    private static void write(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
    }

    /** Every parameter of a checkpoint's model, by canonical name, as raw float bits. */
    private static Map<String, List<Integer>> parameters(Path checkpoint, ModelConfig config)
            throws IOException {
        try (TrainingSession s =
                TrainingSession.create(
                        config, io.streamlip.trainer.optim.OptimizerConfig.defaults(), 1)) {
            s.loadParameters(checkpoint.resolve(TrainingSession.PARAMETERS_FILE));
            Map<String, List<Integer>> out = new java.util.TreeMap<>();
            for (Pair<String, Parameter> p : s.model().getParameters()) {
                List<Integer> bits = new ArrayList<>();
                for (float f : p.getValue().getArray().toFloatArray()) {
                    bits.add(Float.floatToRawIntBits(f));
                }
                out.put(SiglipNames.canonical(p.getKey()), bits);
            }
            return out;
        }
    }
}
