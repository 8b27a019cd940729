package io.streamlip.bench.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.Pair;
import io.streamlip.tokenize.sentencepiece.SentencePieceModels;
import io.streamlip.tokenize.sentencepiece.SentencePieceTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.hf.HfConfig;
import io.streamlip.trainer.hf.HfSiglip;
import io.streamlip.trainer.hf.SiglipNames;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.SiglipModel;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamlip model export} and {@code import} against an independent forward: {@code
 * hf_siglip_reference.py} rebuilds transformers' SiglipModel in plain torch under transformers'
 * parameter names ({@code load_state_dict(strict=True)}) and must give the DJL model's image and
 * text embeddings and logits, on random inputs, within 1e-4. Both directions: weights DJL exports,
 * and weights the reference writes (float32 and bfloat16) imported into DJL.
 */
@Tag("integration")
class HfSiglipParityTest {
    private static final double TOLERANCE = 1e-4;
    private static final SentencePieceTokenizer TOKENIZER =
            SentencePieceTokenizer.of(
                    SentencePieceModels.unigram(List.of("cat", "dog", "photo", "of", "a"), true),
                    64);

    private static HfSiglipReference reference;

    @BeforeAll
    static void torch() {
        assumeTrue(
                SystemPytorch.debian().available(),
                "python3-torch is not installed for /usr/bin/python3: the Hugging Face SigLIP"
                        + " parity tests skip (.ci/run installs it)");
        reference = new HfSiglipReference(SystemPytorch.debian().python(), 2);
    }

    /** {@code tiny}'s sizes in SigLIP's layout, two blocks per tower. */
    private static ModelConfig tinyHf() {
        return SiglipNames.hfLayout(
                ModelConfig.tiny(TOKENIZER.vocabSize()).toBuilder()
                        .imageDepth(2)
                        .textDepth(2)
                        .build());
    }

    @Test
    @Timeout(600)
    void tinyExportedFromDjlGivesTheReferencesOutputs(@TempDir Path dir) throws IOException {
        exportAndCompare(tinyHf(), 4, dir);
    }

    @Test
    @Timeout(900)
    void b16ExportedFromDjlGivesTheReferencesOutputs(@TempDir Path dir) throws IOException {
        exportAndCompare(ModelConfig.b16(32_000), 2, dir);
    }

    @Test
    @Timeout(600)
    void weightsTheReferenceWritesImportIntoDjlWithItsOutputs(@TempDir Path dir)
            throws IOException {
        for (String dtype : List.of("F32", "BF16")) {
            ModelConfig config = tinyHf();
            Path hf = Files.createDirectories(dir.resolve("hf-" + dtype));
            HfConfig.write(config, hf.resolve(HfSiglip.CONFIG));
            Files.write(hf.resolve(HfSiglip.SPIECE), TOKENIZER.model());
            reference.init(hf, 11, dtype);
            HfSiglip.Result imported = HfSiglip.importFolder(hf, dir.resolve("ckpt-" + dtype));
            assertThat(imported.model()).isEqualTo(config.toBuilder().name("siglip-hf").build());
            compare(imported.model(), imported.checkpoint(), hf, 3, 5);
        }
    }

    private static void exportAndCompare(ModelConfig config, int batch, Path dir)
            throws IOException {
        Path checkpoint;
        try (NDManager manager = NDManager.newBaseManager()) {
            checkpoint =
                    HfSiglip.writeCheckpoint(
                            randomModel(config, manager, 5),
                            TOKENIZER,
                            dir.resolve("ckpt"),
                            "test");
        }
        Path hf = dir.resolve("hf");
        HfSiglip.exportCheckpoint(checkpoint, hf);
        compare(config, checkpoint, hf, batch, 7);
    }

    /** DJL on the checkpoint and the reference on the folder agree on random inputs. */
    private static void compare(ModelConfig config, Path checkpoint, Path hf, int batch, long seed)
            throws IOException {
        Random random = new Random(seed);
        int size = config.imageSize();
        int context = config.contextLength();
        float[] pixels = new float[batch * 3 * size * size];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat() * 2 - 1;
        }
        int[] ids = new int[batch * context];
        float[] mask = new float[batch * context];
        int[] hfIds = new int[batch * context];
        int vocab = TOKENIZER.vocabSize();
        for (int b = 0; b < batch; b++) {
            // Real tokens, the last one the end of sequence; one caption fills the context.
            int length = b == 0 ? context : 2 + random.nextInt(context - 3);
            for (int s = 0; s < context; s++) {
                int i = b * context + s;
                boolean real = s < length;
                int token = s == length - 1 ? TOKENIZER.eosId() : 3 + random.nextInt(vocab - 3);
                ids[i] = real ? token : 0;
                mask[i] = real ? 1f : 0f;
                hfIds[i] = real ? token : config.padTokenId(); // transformers: padded with </s>
            }
        }
        HfSiglipReference.Outputs expected = reference.forward(hf, pixels, size, hfIds, batch);
        // The model alone, without a TrainingSession's optimizer state (3 more copies of b16).
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            SiglipModel model = new SiglipModel(config);
            model.setInitializer(new ConstantInitializer(0f), p -> true);
            model.initialize(manager, DataType.FLOAT32, model.inputShapes(1));
            try (DataInputStream in =
                    new DataInputStream(
                            new BufferedInputStream(
                                    Files.newInputStream(
                                            checkpoint.resolve(
                                                    TrainingSession.PARAMETERS_FILE))))) {
                model.loadParameters(manager, in);
            } catch (MalformedModelException e) {
                throw new IOException(e);
            }
            ParameterStore ps = new ParameterStore(manager, false);
            float[][] x =
                    rows(
                            model.embedImages(
                                    ps,
                                    manager.create(pixels, new Shape(batch, 3, size, size)),
                                    false),
                            batch);
            float[][] y =
                    rows(
                            model.embedTexts(
                                    ps,
                                    manager.create(ids, new Shape(batch, context)),
                                    manager.create(mask, new Shape(batch, context)),
                                    false),
                            batch);
            double scale = Math.exp(model.logTemperature().getArray().getFloat(0));
            float bias = model.bias().getArray().getFloat(0);
            int d = config.embedDim();
            double worst = 0;
            for (int i = 0; i < batch; i++) {
                for (int k = 0; k < d; k++) {
                    worst = Math.max(worst, Math.abs(x[i][k] - expected.imageEmbeds()[i * d + k]));
                    worst = Math.max(worst, Math.abs(y[i][k] - expected.textEmbeds()[i * d + k]));
                }
                for (int j = 0; j < batch; j++) {
                    double dot = 0;
                    for (int k = 0; k < d; k++) {
                        dot += y[i][k] * x[j][k];
                    }
                    double logit = scale * dot + bias;
                    worst =
                            Math.max(
                                    worst,
                                    Math.abs(logit - expected.logitsPerText()[i * batch + j]));
                }
            }
            assertThat(worst)
                    .as("max |DJL - reference| for " + config.name())
                    .isLessThan(TOLERANCE);
            // The outputs are not degenerate: images and captions differ from each other.
            assertThat(Math.abs(x[0][0] - x[1][0]) + Math.abs(y[0][0] - y[1][0]))
                    .isGreaterThan(1e-4f);
        }
    }

    private static float[][] rows(NDArray array, int batch) {
        float[] flat = array.toFloatArray();
        int d = flat.length / batch;
        float[][] out = new float[batch][d];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    /** A random model whose norms and biases are random too, so a swapped pair shows. */
    private static SiglipModel randomModel(ModelConfig config, NDManager manager, long seed) {
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
}
