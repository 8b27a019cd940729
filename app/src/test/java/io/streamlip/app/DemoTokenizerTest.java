package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlip.ingest.synthetic.SyntheticImporter;
import io.streamlip.tokenize.Tokenizers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's tokenizer choice, without the pipeline around it. */
class DemoTokenizerTest {
    private final SyntheticImporter importer = new SyntheticImporter(32, 120, 7);

    @Test
    void parsesTheVocabularySize() {
        assertThat(DemoTokenizer.bpeVocab("bpe")).isEqualTo(8192);
        assertThat(DemoTokenizer.bpeVocab("bpe:300")).isEqualTo(300);
        assertThat(DemoTokenizer.bpeVocab("bytes")).isNull();
        assertThat(DemoTokenizer.bpeVocab("my/bpe.json")).isNull();
        assertThatThrownBy(() -> DemoTokenizer.bpeVocab("bpe:12"))
                .hasMessageContaining("at least 258");
    }

    @Test
    void bytesNeedNothing(@TempDir Path out) throws Exception {
        DemoTokenizer t = DemoTokenizer.prepare("bytes", importer, out);
        assertThat(t.file()).isNull();
        assertThat(t.spec()).isEqualTo(Tokenizers.BYTES);
        assertThat(t.summary().path("version").asText()).isEqualTo("bytes-v1");
        assertThat(t.summary().has("tokens_per_caption")).isFalse();
    }

    @Test
    void trainsFromTheImportedCaptionsAndMeasuresThem(@TempDir Path out) throws Exception {
        DemoTokenizer trained = DemoTokenizer.prepare("bpe:300", importer, out);
        assertThat(trained.file()).isEqualTo(out.resolve("tokenizer.json")).exists();
        JsonNode s = trained.summary();
        assertThat(s.path("version").asText()).startsWith("bpe");
        assertThat(s.path("captions_read").asLong()).isEqualTo(120);
        JsonNode all = s.path("tokens_per_caption").path("all");
        assertThat(all.path("captions").asLong()).isEqualTo(120);
        assertThat(all.path("tokens").asDouble())
                .isPositive()
                .isLessThan(all.path("bytes").asDouble());

        // The same file given by path: the same tokenizer, measured the same way.
        DemoTokenizer given = DemoTokenizer.prepare(trained.file().toString(), importer, out);
        assertThat(given.summary().path("version")).isEqualTo(s.path("version"));
        assertThat(given.summary().path("tokens_per_caption"))
                .isEqualTo(s.path("tokens_per_caption"));
        assertThat(Tokenizers.load(given.spec(), 32).version())
                .isEqualTo(s.path("version").asText());
    }
}
