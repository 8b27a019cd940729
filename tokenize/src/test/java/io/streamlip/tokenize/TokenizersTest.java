package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.platform.flink.JobArguments;
import io.streamlip.tokenize.subword.BpeModel;
import io.streamlip.tokenize.subword.BpeTrainer;
import io.streamlip.tokenize.subword.SubwordTokenizer;
import io.streamlip.tokenize.subword.TokenizerJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Naming a tokenizer by spec, and storing it in (and rebuilding it from) a folder. */
class TokenizersTest {

    private static Path trainTokenizer(Path dir, String name, String... texts) throws Exception {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            corpus.addAll(List.of(texts));
        }
        BpeModel model =
                new BpeTrainer(BpeTrainer.Config.builder().vocabSize(280).build()).train(corpus);
        Path file = dir.resolve(name);
        Files.write(file, TokenizerJson.write(model));
        return file;
    }

    @Test
    void bytesNamesTheByteTokenizer() {
        CaptionTokenizer t = Tokenizers.load("bytes", 16);
        assertThat(t).isInstanceOf(ByteTokenizer.class);
        assertThat(t.version()).isEqualTo(ByteTokenizer.VERSION);
        assertThat(t.encode("a".repeat(40))).hasSize(16);
        assertThat(Tokenizers.load(ByteTokenizer.VERSION, 16)).isInstanceOf(ByteTokenizer.class);
    }

    @Test
    void aPathOrAFolderNamesASubwordTokenizer(@TempDir Path dir) throws Exception {
        Path file = trainTokenizer(dir, "tokenizer.json", "red circle", "blue square");
        CaptionTokenizer fromFile = Tokenizers.load(file.toString(), 32);
        assertThat(fromFile).isInstanceOf(SubwordTokenizer.class);
        assertThat(fromFile.version()).startsWith("bpe");
        assertThat(fromFile.vocabSize()).isGreaterThan(258);
        CaptionTokenizer fromFolder = Tokenizers.load(dir.toString(), 32);
        assertThat(fromFolder.version()).isEqualTo(fromFile.version());
        assertThat(fromFolder.encode("red square")).containsExactly(fromFile.encode("red square"));
    }

    @Test
    void anUnknownSpecSaysWhatIsExpected(@TempDir Path dir) {
        assertThatThrownBy(() -> Tokenizers.load(dir.resolve("nope.json").toString(), 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope.json")
                .hasMessageContaining("'bytes'")
                .hasMessageContaining("streamlip tokenizer train");
        assertThatThrownBy(() -> Tokenizers.load(" ", 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no tokenizer given");
    }

    @Test
    void aFolderCarriesTheTokenizerAndRebuildsIt(@TempDir Path dir) throws Exception {
        Path file = trainTokenizer(dir, "mine.json", "ein roter Kreis", "赤い丸");
        CaptionTokenizer original = Tokenizers.load(file.toString(), 32);
        Path checkpoint = Files.createDirectory(dir.resolve("checkpoint"));
        Tokenizers.save(original, checkpoint);
        assertThat(checkpoint.resolve(Tokenizers.FILE)).exists();

        CaptionTokenizer rebuilt = Tokenizers.fromFolder(checkpoint, original.version(), 32);
        assertThat(rebuilt.version()).isEqualTo(original.version());
        for (String text : List.of("ein roter Kreis", "赤い丸", "something else 😀")) {
            assertThat(rebuilt.encode(text)).containsExactly(original.encode(text));
        }
    }

    @Test
    void theByteTokenizerNeedsNoFile(@TempDir Path dir) throws Exception {
        Tokenizers.save(new ByteTokenizer(8), dir);
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
        assertThat(Tokenizers.fromFolder(dir, ByteTokenizer.VERSION, 8))
                .isInstanceOf(ByteTokenizer.class);
    }

    @Test
    void aFolderWithAnotherVersionOrNoFileIsRefused(@TempDir Path dir) throws Exception {
        Path a = trainTokenizer(dir, "a.json", "red circle", "blue square");
        Path folder = Files.createDirectory(dir.resolve("checkpoint"));
        assertThatThrownBy(() -> Tokenizers.fromFolder(folder, "bpe300-0123456789ab", 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bpe300-0123456789ab")
                .hasMessageContaining("holds no tokenizer.json");
        Tokenizers.save(Tokenizers.load(a.toString(), 32), folder);
        assertThatThrownBy(() -> Tokenizers.fromFolder(folder, "bpe300-0123456789ab", 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names bpe300-0123456789ab");
    }

    @Test
    void requireVersionNamesBothVersions() {
        assertThatThrownBy(
                        () ->
                                Tokenizers.requireVersion(
                                        new ByteTokenizer(8), "bpe300-x", "checkpoint c"))
                .hasMessageContaining(
                        "checkpoint c was made with tokenizer bpe300-x, not bytes-v1");
    }

    @Test
    void theJobConfigTakesASpec(@TempDir Path dir) throws Exception {
        Path file = trainTokenizer(dir, "t.json", "red circle", "blue square");
        TokenizeConfig config = TokenizeConfig.builder().tokenizer(file.toString()).build();
        assertThat(config.tokenizer().version())
                .isEqualTo(Tokenizers.load(file.toString(), 64).version());
        assertThat(config.toBuilder().tokenizer("bytes").build().tokenizerFile()).isNull();
        assertThatThrownBy(() -> TokenizeConfig.builder().tokenizer("missing.json"))
                .hasMessageContaining("missing.json");
    }

    @Test
    void theJobMainTakesTheTokenizerOption(@TempDir Path dir) throws Exception {
        Path file = trainTokenizer(dir, "t.json", "red circle", "blue square");
        String[] common = {"--bootstrap", "h:1", "--checkpoint-dir", "/cp"};
        JobArguments spaced =
                TokenizeJob.arguments(
                        "--bootstrap",
                        "h:1",
                        "--tokenizer",
                        file.toString(),
                        "--checkpoint-dir",
                        "/cp",
                        "--bounded");
        assertThat(spaced.bounded()).isTrue();
        assertThat(TokenizeJob.config(spaced).tokenizer().version())
                .isEqualTo(Tokenizers.load(file.toString(), 64).version());
        JobArguments joined = TokenizeJob.arguments(with(common, "--tokenizer=bytes"));
        assertThat(TokenizeJob.config(joined).tokenizerFile()).isNull();
        assertThat(joined.jobOption(TokenizeJob.TOKENIZER_OPTION)).contains("bytes");
        JobArguments absent = TokenizeJob.arguments(common);
        assertThat(absent.jobOption(TokenizeJob.TOKENIZER_OPTION)).isEmpty();
        assertThat(TokenizeJob.config(absent).tokenizerFile()).isNull();
        assertThat(TokenizeJob.config(absent).tokenizer().version())
                .isEqualTo(TokenizeConfig.defaults().tokenizer().version());
        assertThatThrownBy(() -> TokenizeJob.arguments(with(common, "--tokenizer")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tokenizer needs a value");
        // Without the job's option declared, --tokenizer is unknown.
        assertThatThrownBy(() -> JobArguments.parse(with(common, "--tokenizer", "bytes")))
                .hasMessageContaining("unknown option --tokenizer");
    }

    private static String[] with(String[] args, String... more) {
        return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
    }
}
