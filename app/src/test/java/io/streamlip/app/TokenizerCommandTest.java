package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.tokenize.subword.SubwordTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerCommandTest {

    @Test
    void trainsFromAPairsFolderAndWritesALoadableTokenizerJson(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("pairs");
        String[][] captions = {
            {"en", "a red circle"}, {"en", "a red square"}, {"de", "ein roter Kreis"},
            {"ja", "赤い丸"}, {"ja", "赤い四角"}, {"ru", "красный круг"}
        };
        try (PairsFolder.Writer writer = new PairsFolder.Writer(folder)) {
            String image = writer.image("x.png", new byte[] {1, 2, 3});
            for (int i = 0; i < 4; i++) {
                for (String[] c : captions) {
                    writer.add(new PairsFolder.Entry(image, c[1], c[0], null));
                }
            }
        }
        Path out = dir.resolve("vocab/tokenizer.json");

        DemoCommandTest.Run run =
                DemoCommandTest.run(
                        "tokenizer",
                        "train",
                        "--from-folder",
                        folder.toString(),
                        "--vocab-size",
                        "300",
                        "--out",
                        out.toString());

        assertThat(run.code()).as(run.err()).isZero();
        SubwordTokenizer tokenizer = SubwordTokenizer.load(out, 32);
        assertThat(tokenizer.vocabSize()).isEqualTo(300);
        assertThat(run.out())
                .contains("\"version\" : \"" + tokenizer.version() + "\"")
                .contains("\"captions_read\" : 24");
        assertThat(tokenizer.encode("a red circle").length).isLessThan(13);
        assertThat(Files.size(out)).isPositive();
    }

    @Test
    void aTopicNeedsABootstrapServerAndOneSourceIsRequired(@TempDir Path dir) {
        String out = dir.resolve("t.json").toString();
        DemoCommandTest.Run noBootstrap =
                DemoCommandTest.run(
                        "tokenizer", "train", "--from-topic", "raw-pairs", "--out", out);
        assertThat(noBootstrap.code()).isNotZero();
        assertThat(noBootstrap.err()).contains("--bootstrap");

        DemoCommandTest.Run noSource = DemoCommandTest.run("tokenizer", "train", "--out", out);
        assertThat(noSource.code()).isNotZero();
        assertThat(noSource.err()).contains("--from-topic");
    }
}
