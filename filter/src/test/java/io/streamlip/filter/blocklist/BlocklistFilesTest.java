package io.streamlip.filter.blocklist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.filter.config.BlocklistConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blocklist files: what they hold, and errors that name the file and the line. */
class BlocklistFilesTest {
    @TempDir Path dir;

    @Test
    void readsTermsAndHashesSkippingCommentsAndBlankLines() throws IOException {
        Path terms =
                write(
                        "terms.txt",
                        "\uFEFF# opt-out terms\n\nCasino\r\n  online   POKER \n# done\ncasino\n");
        Path images =
                write(
                        "images.txt",
                        "# hashes\nsha256:" + "AB".repeat(32) + "\n\nphash:0123456789abcdef\n");
        assertThat(BlocklistFiles.captionTerms(terms))
                .extracting(l -> l.entry().text() + " @" + l.origin())
                .containsExactly("term:casino @terms.txt:3", "term:online poker @terms.txt:4");
        assertThat(BlocklistFiles.imageHashes(images))
                .extracting(l -> l.entry().text() + " @" + l.origin())
                .containsExactly(
                        "sha256:" + "ab".repeat(32) + " @images.txt:2",
                        "phash:0123456789abcdef @images.txt:4");
        List<BlocklistFiles.Located> both =
                BlocklistStage.fileEntries(
                        BlocklistConfig.builder()
                                .captionTermsFile(terms.toString())
                                .imageHashesFile(images.toString())
                                .build());
        assertThat(both).hasSize(4);
    }

    @Test
    void aMalformedLineFailsTheFileNamingFileAndLine() throws IOException {
        Path images = write("images.txt", "# ok\nsha256:" + "ab".repeat(32) + "\nphash:12345\n");
        assertThatThrownBy(() -> BlocklistFiles.imageHashes(images))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(images + ":3: ")
                .hasMessageContaining("16 hex digits");

        Path termsInImages = write("images2.txt", "term:casino\n");
        assertThatThrownBy(() -> BlocklistFiles.imageHashes(termsInImages))
                .hasMessageStartingWith(termsInImages + ":1: ")
                .hasMessageContaining("not terms");

        Path noLetters = write("terms.txt", "fine\n\n--- ***\n");
        assertThatThrownBy(() -> BlocklistFiles.captionTerms(noLetters))
                .hasMessageStartingWith(noLetters + ":3: ")
                .hasMessageContaining("no letter or digit");

        Path noPrefix = write("images3.txt", "ab".repeat(32) + "\n");
        assertThatThrownBy(() -> BlocklistFiles.imageHashes(noPrefix))
                .hasMessageStartingWith(noPrefix + ":1: ");
    }

    @Test
    void longLinesInvalidUtf8AndMissingFilesAreErrors() throws IOException {
        Path longLine = write("terms.txt", "ok\n" + "x".repeat(BlocklistFiles.MAX_LINE_CHARS + 1));
        assertThatThrownBy(() -> BlocklistFiles.captionTerms(longLine))
                .hasMessageStartingWith(longLine + ":2: ")
                .hasMessageContaining("longer than 1000");

        Path longTerm = write("terms2.txt", "y".repeat(300) + "\n");
        assertThatThrownBy(() -> BlocklistFiles.captionTerms(longTerm))
                .hasMessageStartingWith(longTerm + ":1: ")
                .hasMessageContaining("more than 200");

        Path binary = dir.resolve("terms3.txt");
        Files.write(binary, new byte[] {'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThatThrownBy(() -> BlocklistFiles.captionTerms(binary))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(binary.toString())
                .hasMessageContaining("not valid UTF-8");

        assertThatThrownBy(() -> BlocklistFiles.captionTerms(dir.resolve("missing.txt")))
                .hasMessageContaining("missing.txt");
    }

    @Test
    void moreEntriesThanTheBoundFailTheFile() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i <= BlocklistConfig.DEFAULT_MAX_ENTRIES; i++) {
            text.append("sha256:").append(String.format("%064x", i)).append('\n');
        }
        Path images = write("images.txt", text.toString());
        assertThatThrownBy(() -> BlocklistFiles.imageHashes(images))
                .hasMessageStartingWith(
                        images + ":" + (BlocklistConfig.DEFAULT_MAX_ENTRIES + 1) + ": ")
                .hasMessageContaining("more than 100000 entries");
        // A larger configured bound reads the same file whole; a smaller one fails it earlier.
        assertThat(BlocklistFiles.imageHashes(images, BlocklistConfig.DEFAULT_MAX_ENTRIES + 1))
                .hasSize(BlocklistConfig.DEFAULT_MAX_ENTRIES + 1);
        assertThatThrownBy(() -> BlocklistFiles.imageHashes(images, 10))
                .hasMessageStartingWith(images + ":11: ")
                .hasMessageContaining("more than 10 entries")
                .hasMessageContaining("blocklist-max-entries");
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
