package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.hf.HfSiglip;
import io.streamlip.trainer.hf.SiglipNames;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.SiglipModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamlip model export|import} from the command line (the round trip itself and the parity
 * with a PyTorch reference: trainer's HfSiglipTest, bench's HfSiglipParityTest).
 */
class ModelCommandTest {

    @Test
    void exportWritesAHuggingFaceFolderAndImportNeedsItsTokenizer(@TempDir Path dir)
            throws Exception {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig config = SiglipNames.hfLayout(ModelConfig.tiny(tokenizer.vocabSize()));
        try (NDManager manager = NDManager.newBaseManager()) {
            HfSiglip.writeCheckpoint(
                    SiglipModel.create(config, manager, 1), tokenizer, dir.resolve("ckpt"), "t");
        }
        BlocklistCommandTest.Run export =
                BlocklistCommandTest.run(
                        "model",
                        "export",
                        "--checkpoint",
                        dir.resolve("ckpt").toString(),
                        "--hf",
                        dir.resolve("hf").toString());
        assertThat(export.code()).as(export.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(export.out());
        assertThat(summary.path("tensors").asInt()).isEqualTo(3 + 16 + 2 + 11 + 2 + 16 + 2 + 2 + 2);
        assertThat(summary.path("model").asText()).isEqualTo("tiny");
        assertThat(summary.path("parameters").asLong()).isPositive();
        assertThat(dir.resolve("hf/config.json")).exists();
        assertThat(dir.resolve("hf/model.safetensors")).exists();
        // The byte tokenizer is streamlip's own: there is no spiece.model to hand over.
        assertThat(dir.resolve("hf/spiece.model")).doesNotExist();

        BlocklistCommandTest.Run imported =
                BlocklistCommandTest.run(
                        "model",
                        "import",
                        "--hf",
                        dir.resolve("hf").toString(),
                        "--out",
                        dir.resolve("back").toString());
        assertThat(imported.code()).isNotZero();
        assertThat(imported.err()).contains("holds no spiece.model");
        assertThat(Files.exists(dir.resolve("back"))).isFalse();

        BlocklistCommandTest.Run small =
                BlocklistCommandTest.run(
                        "model",
                        "export",
                        "--checkpoint",
                        dir.resolve("nothing").toString(),
                        "--hf",
                        dir.resolve("hf2").toString());
        assertThat(small.code()).isNotZero();
        assertThat(small.err()).contains("neither a checkpoint");
    }
}
