package io.streamlip.trainer.hf;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.tokenize.sentencepiece.SentencePieceTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.SiglipModel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hugging Face SigLIP folders in and out: {@link #importFolder} turns a folder holding {@code
 * config.json}, {@code model.safetensors} and {@code spiece.model} (as {@code
 * google/siglip-base-patch16-224} on the hub) into a checkpoint this project trains from ({@code
 * train --init-from}, {@code --lit-from}, {@code eval}); {@link #exportCheckpoint} writes a
 * checkpoint back as such a folder (float32 weights), which transformers' {@code
 * SiglipModel.from_pretrained} reads. Parameter names map through {@link SiglipNames} only.
 */
public final class HfSiglip {
    private static final Logger LOG = LoggerFactory.getLogger(HfSiglip.class);

    /** The weights file of a Hugging Face folder. */
    public static final String WEIGHTS = "model.safetensors";

    /** The configuration file of a Hugging Face folder. */
    public static final String CONFIG = "config.json";

    /** The SentencePiece model of a Hugging Face SigLIP folder. */
    public static final String SPIECE = "spiece.model";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfSiglip() {}

    /**
     * What an import or export did.
     *
     * @param model the model's shape
     * @param checkpoint the checkpoint written (import) or read (export)
     * @param hfFolder the Hugging Face folder read (import) or written (export)
     * @param tensors tensors in the safetensors file
     * @param parameters scalars in all
     * @param tokenizer the tokenizer's version, or null when an export had no SentencePiece one
     */
    public record Result(
            ModelConfig model,
            Path checkpoint,
            Path hfFolder,
            int tensors,
            long parameters,
            String tokenizer) {}

    /**
     * Imports the Hugging Face SigLIP in {@code hfFolder} as checkpoint {@code step-00000000} of
     * the checkpoint folder {@code out} (created if missing). The model is named after the preset
     * whose shape it has, if any ({@code b16} for {@code google/siglip-base-patch16-224}), else
     * {@code siglip-hf}.
     *
     * @throws IllegalArgumentException when a file is missing, the configuration cannot be built,
     *     or the weights do not match it (a tensor missing, unused or of another shape)
     */
    public static Result importFolder(Path hfFolder, Path out) throws IOException {
        for (String name : List.of(CONFIG, WEIGHTS, SPIECE)) {
            if (!Files.isRegularFile(hfFolder.resolve(name))) {
                throw new IllegalArgumentException(
                        hfFolder
                                + " holds no "
                                + name
                                + " (a Hugging Face SigLIP folder has "
                                + CONFIG
                                + ", "
                                + WEIGHTS
                                + " and "
                                + SPIECE
                                + ")");
            }
        }
        ModelConfig config = presetNamed(HfConfig.read(hfFolder.resolve(CONFIG), "siglip-hf"));
        // transformers' SiglipTokenizer canonicalizes captions (lowercase, no punctuation): so do
        // we, unless the folder's tokenizer_config.json names another tokenizer.
        Path spiece = hfFolder.resolve(SPIECE);
        boolean siglipText =
                !Files.isRegularFile(hfFolder.resolve(Tokenizers.HF_TOKENIZER_CONFIG))
                        || Tokenizers.siglipBeside(spiece);
        SentencePieceTokenizer tokenizer =
                SentencePieceTokenizer.load(spiece, config.contextLength(), siglipText);
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException(
                    hfFolder.resolve(SPIECE)
                            + " has "
                            + tokenizer.vocabSize()
                            + " ids but the text tower's table only "
                            + config.vocabSize());
        }
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                Safetensors.Reader weights = Safetensors.open(hfFolder.resolve(WEIGHTS))) {
            SiglipModel model = emptyModel(config, manager);
            Map<String, Parameter> ours = byCanonicalName(model);
            Set<String> unused = new LinkedHashSet<>(weights.tensors().keySet());
            int tensors = 0;
            for (SiglipNames.Group group : SiglipNames.groups(config)) {
                List<float[]> parts = new ArrayList<>();
                for (SiglipNames.HfTensor t : group.hf()) {
                    Safetensors.Info info = weights.tensors().get(t.name());
                    if (info == null) {
                        throw new IllegalArgumentException(
                                hfFolder.resolve(WEIGHTS) + " holds no tensor " + t.name());
                    }
                    if (!java.util.Arrays.equals(info.shape(), t.shape())) {
                        throw new IllegalArgumentException(
                                t.name()
                                        + " is "
                                        + java.util.Arrays.toString(info.shape())
                                        + ", the configuration makes it "
                                        + java.util.Arrays.toString(t.shape()));
                    }
                    parts.add(weights.read(t.name()));
                    unused.remove(t.name());
                    tensors++;
                }
                float[] flat = concat(parts);
                int offset = 0;
                for (String name : group.streamlip()) {
                    NDArray array = parameter(ours, name).getArray();
                    int n = Math.toIntExact(array.size());
                    float[] values = java.util.Arrays.copyOfRange(flat, offset, offset + n);
                    array.set(FloatBuffer.wrap(values));
                    offset += n;
                }
                if (offset != flat.length) {
                    throw new IllegalStateException("group " + group + " does not add up");
                }
            }
            // transformers wrote position_ids buffers into older files; they hold no weights.
            unused.removeIf(n -> n.endsWith("position_ids"));
            if (!unused.isEmpty()) {
                throw new IllegalArgumentException(
                        hfFolder.resolve(WEIGHTS)
                                + " holds tensors a SiglipModel of its config.json does not:"
                                + " "
                                + unused);
            }
            Path written =
                    writeCheckpoint(model, tokenizer, out, hfFolder.toAbsolutePath().toString());
            return new Result(
                    config, written, hfFolder, tensors, count(model), tokenizer.version());
        }
    }

    /**
     * Writes {@code model} and {@code tokenizer} as checkpoint {@code step-00000000} of the
     * checkpoint folder {@code out}: no optimizer state, step 0, {@code source} recorded as where
     * it came from. Such a checkpoint starts runs ({@code --init-from}, {@code --lit-from}); it is
     * not one to resume.
     */
    public static Path writeCheckpoint(
            SiglipModel model, CaptionTokenizer tokenizer, Path out, String source)
            throws IOException {
        ModelConfig config = model.config();
        float t = model.logTemperature().getArray().getFloat(0);
        float b = model.bias().getArray().getFloat(0);
        TrainingState state =
                new TrainingState(
                        "import-" + config.name() + "/" + CheckpointStore.folderName(0),
                        0,
                        0,
                        0,
                        List.of(),
                        config,
                        tokenizer.version(),
                        JSON.createObjectNode().put("importedFrom", source),
                        new TrainingState.LossSummary(null, null, null, List.of()),
                        Math.exp(t),
                        b,
                        Instant.now().toString(),
                        Map.of(),
                        List.of(),
                        null,
                        null);
        return new CheckpointStore(out, 1)
                .write(
                        state,
                        folder -> {
                            saveParameters(model, folder);
                            Tokenizers.save(tokenizer, folder);
                        });
    }

    /**
     * Exports checkpoint {@code checkpoint} (or the newest in a folder of them), whose model must
     * have Hugging Face SigLIP's architecture ({@link SiglipNames#requireHfLayout}), into {@code
     * hfFolder} (created if missing): {@code config.json}, float32 {@code model.safetensors},
     * {@code preprocessor_config.json} and, for a SentencePiece tokenizer, {@code spiece.model}
     * with a {@code tokenizer_config.json}.
     */
    public static Result exportCheckpoint(Path checkpoint, Path hfFolder) throws IOException {
        Path folder = CheckpointStore.resolve(checkpoint);
        TrainingState state = CheckpointStore.readState(folder);
        ModelConfig config = state.model();
        SiglipNames.requireHfLayout(config);
        Files.createDirectories(hfFolder);
        HfConfig.write(config, hfFolder.resolve(CONFIG));
        writePreprocessorConfig(config, hfFolder);
        String tokenizer = null;
        Path spiece = folder.resolve(Tokenizers.SENTENCEPIECE_FILE);
        if (Files.isRegularFile(spiece)) {
            CaptionTokenizer t = CheckpointStore.tokenizer(folder);
            Files.copy(
                    spiece,
                    hfFolder.resolve(SPIECE),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            writeTokenizerConfig(config, hfFolder);
            tokenizer = t.version();
            if (!(t instanceof SentencePieceTokenizer sp && sp.siglip())) {
                LOG.warn(
                        "{} was trained on captions as they are, but transformers'"
                                + " SiglipTokenizer lowercases them and deletes punctuation: expect"
                                + " text embeddings to differ for such captions",
                        folder);
            }
        }
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            SiglipModel model = emptyModel(config, manager);
            try (DataInputStream in =
                    new DataInputStream(
                            new BufferedInputStream(
                                    Files.newInputStream(
                                            folder.resolve(TrainingSession.PARAMETERS_FILE))))) {
                model.loadParameters(manager, in);
            } catch (MalformedModelException e) {
                throw new IOException("cannot load " + folder + ": " + e.getMessage(), e);
            }
            Map<String, Parameter> ours = byCanonicalName(model);
            List<Safetensors.Entry> entries = new ArrayList<>();
            for (SiglipNames.Group group : SiglipNames.groups(config)) {
                // One group's values at a time: the writer asks for each tensor in turn.
                float[][] split = new float[group.hf().size()][];
                for (int i = 0; i < group.hf().size(); i++) {
                    SiglipNames.HfTensor t = group.hf().get(i);
                    int index = i;
                    entries.add(
                            new Safetensors.Entry(
                                    t.name(),
                                    t.shape(),
                                    () -> {
                                        if (index == 0) {
                                            splitGroup(group, ours, split);
                                        }
                                        float[] values = split[index];
                                        split[index] = null;
                                        return values;
                                    }));
                }
            }
            Safetensors.write(hfFolder.resolve(WEIGHTS), entries, Map.of("format", "pt"));
            return new Result(config, folder, hfFolder, entries.size(), count(model), tokenizer);
        }
    }

    private static void splitGroup(
            SiglipNames.Group group, Map<String, Parameter> ours, float[][] into) {
        List<float[]> parts = new ArrayList<>();
        for (String name : group.streamlip()) {
            parts.add(parameter(ours, name).getArray().toFloatArray());
        }
        float[] flat = concat(parts);
        int offset = 0;
        for (int i = 0; i < group.hf().size(); i++) {
            int n = Math.toIntExact(group.hf().get(i).size());
            into[i] = java.util.Arrays.copyOfRange(flat, offset, offset + n);
            offset += n;
        }
        if (offset != flat.length) {
            throw new IllegalStateException(
                    "parameters " + group.streamlip() + " do not have the sizes of " + group.hf());
        }
    }

    /** The model's parameters by {@linkplain SiglipNames#canonical canonical} name. */
    static Map<String, Parameter> byCanonicalName(SiglipModel model) {
        Map<String, Parameter> out = new HashMap<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            out.put(SiglipNames.canonical(p.getKey()), p.getValue());
        }
        return out;
    }

    private static Parameter parameter(Map<String, Parameter> ours, String name) {
        Parameter p = ours.get(name);
        if (p == null) {
            throw new IllegalStateException(
                    "the model has no parameter " + name + " (SiglipNames is out of date)");
        }
        return p;
    }

    /** A model of {@code config} with every parameter allocated (zeros: they are overwritten). */
    private static SiglipModel emptyModel(ModelConfig config, NDManager manager) {
        SiglipModel model = new SiglipModel(config);
        model.setInitializer(new ConstantInitializer(0f), p -> true);
        model.initialize(manager, DataType.FLOAT32, model.inputShapes(1));
        return model;
    }

    /** {@code config} named after the preset of exactly its shape, if there is one. */
    private static ModelConfig presetNamed(ModelConfig config) {
        for (String name : ModelConfig.presetNames()) {
            if (ModelConfig.preset(name, config.vocabSize())
                    .equals(config.toBuilder().name(name).build())) {
                return config.toBuilder().name(name).build();
            }
        }
        return config;
    }

    private static void saveParameters(SiglipModel model, Path folder) throws IOException {
        try (DataOutputStream out =
                new DataOutputStream(
                        new BufferedOutputStream(
                                Files.newOutputStream(
                                        folder.resolve(TrainingSession.PARAMETERS_FILE))))) {
            model.saveParameters(out);
        }
    }

    private static void writePreprocessorConfig(ModelConfig config, Path hfFolder)
            throws IOException {
        // SiglipImageProcessor: resize to the model's size, pixels to [-1, 1] as this trainer's.
        ObjectNode p = JSON.createObjectNode();
        p.put("image_processor_type", "SiglipImageProcessor");
        p.put("do_resize", true);
        p.putObject("size").put("height", config.imageSize()).put("width", config.imageSize());
        p.put("resample", 3);
        p.put("do_rescale", true);
        p.put("rescale_factor", 1 / 255.0);
        p.put("do_normalize", true);
        p.putArray("image_mean").add(0.5).add(0.5).add(0.5);
        p.putArray("image_std").add(0.5).add(0.5).add(0.5);
        JSON.writeValue(hfFolder.resolve("preprocessor_config.json").toFile(), p);
    }

    private static void writeTokenizerConfig(ModelConfig config, Path hfFolder) throws IOException {
        ObjectNode t = JSON.createObjectNode();
        t.put("tokenizer_class", Tokenizers.SIGLIP_TOKENIZER_CLASS);
        t.put("do_lower_case", true);
        t.put("model_max_length", config.contextLength());
        t.put("eos_token", "</s>");
        t.put("pad_token", "</s>");
        t.put("unk_token", "<unk>");
        JSON.writeValue(hfFolder.resolve("tokenizer_config.json").toFile(), t);
    }

    private static float[] concat(List<float[]> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int n = 0;
        for (float[] p : parts) {
            n = Math.addExact(n, p.length);
        }
        float[] out = new float[n];
        int offset = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, offset, p.length);
            offset += p.length;
        }
        return out;
    }

    private static long count(SiglipModel model) {
        long n = 0;
        for (Pair<String, Parameter> p : model.getParameters()) {
            n += p.getValue().getArray().size();
        }
        return n;
    }
}
