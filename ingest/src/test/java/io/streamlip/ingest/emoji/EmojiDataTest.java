package io.streamlip.ingest.emoji;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The fetch step, with stand-ins for npm: no network. */
class EmojiDataTest {
    @TempDir Path dir;

    @Test
    void versionsAndFileNamesAreThoseOfNpmPack() {
        assertThat(EmojiData.packages())
                .extracting(EmojiData.NpmPackage::spec)
                .containsExactly(
                        "emoji-datasource-google@16.0.0",
                        "emoji-datasource-apple@16.0.0",
                        "emoji-datasource-facebook@16.0.0",
                        "emoji-datasource-twitter@16.0.0",
                        "cldr-annotations-full@48.2.0",
                        "cldr-annotations-derived-full@48.2.0");
        assertThat(EmojiData.CLDR_ANNOTATIONS.tarballName())
                .isEqualTo("cldr-annotations-full-48.2.0.tgz");
    }

    @Test
    void saysWhatToInstallAndRunWhenNpmIsMissing() {
        Path folder = dir.resolve("data");
        EmojiData data =
                new EmojiData(
                        EmojiData.Config.defaults(folder).toBuilder()
                                .npmCommand("streamlip-no-such-npm-command")
                                .build());
        assertThat(data.missing()).hasSize(6);

        assertThatThrownBy(data::ensure)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot run 'streamlip-no-such-npm-command'")
                .hasMessageContaining("install Node.js with npm")
                .hasMessageContaining("cd " + folder.toAbsolutePath())
                .hasMessageContaining("npm pack emoji-datasource-google@16.0.0")
                .hasMessageContaining("npm pack cldr-annotations-derived-full@48.2.0");
        try (var left = Files.list(folder)) {
            assertThat(left).as("no partial files left behind").isEmpty();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void doesNotRunNpmWhenEverythingIsThere() throws IOException {
        Path folder = dir.resolve("complete");
        Files.createDirectories(folder);
        for (EmojiData.NpmPackage p : EmojiData.packages()) {
            Files.write(folder.resolve(p.tarballName()), new byte[] {1});
        }
        EmojiData data =
                new EmojiData(
                        EmojiData.Config.defaults(folder).toBuilder()
                                .npmCommand("no-such-npm")
                                .build());
        assertThat(data.ensure().missing()).isEmpty();
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void fetchesOnlyWhatIsMissingWithNpmPack() throws IOException {
        Path folder = dir.resolve("fetch");
        Files.createDirectories(folder);
        Path present = folder.resolve(EmojiData.CLDR_ANNOTATIONS.tarballName());
        Files.write(present, new byte[] {42});
        Path log = dir.resolve("npm.log");
        // npm pack NAME@VERSION writes NAME-VERSION.tgz into the working folder
        Path npm =
                script(
                        "fake-npm",
                        "echo \"$@\" >> '" + log + "'",
                        "echo \"npm notice packing $2\"",
                        "printf 'tgz' > \"$(echo \"$2\" | sed 's/@/-/').tgz\"");
        EmojiData data =
                new EmojiData(
                        EmojiData.Config.defaults(folder).toBuilder()
                                .npmCommand(npm.toString())
                                .build());

        data.ensure();

        assertThat(data.missing()).isEmpty();
        assertThat(Files.readAllLines(log))
                .hasSize(5)
                .contains("pack emoji-datasource-twitter@16.0.0");
        assertThat(Files.readAllBytes(present)).containsExactly(42);
        try (var files = Files.list(folder)) {
            assertThat(files).as("no work folders left").hasSize(6);
        }
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void reportsTheOutputOfAFailingNpm() throws IOException {
        Path npm = script("failing-npm", "echo 'npm error 404 Not Found'", "exit 3");
        EmojiData data =
                new EmojiData(
                        EmojiData.Config.defaults(dir.resolve("fail")).toBuilder()
                                .npmCommand(npm.toString())
                                .build());
        assertThatThrownBy(data::ensure)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pack emoji-datasource-google@16.0.0 failed with exit code 3")
                .hasMessageContaining("npm error 404 Not Found")
                .hasMessageContaining("npm pack cldr-annotations-full@48.2.0");
        assertThat(data.missing()).hasSize(6);
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void givesUpOnANpmThatHangs() throws IOException {
        Path npm = script("hanging-npm", "exec sleep 30");
        EmojiData data =
                new EmojiData(
                        EmojiData.Config.defaults(dir.resolve("hang")).toBuilder()
                                .npmCommand(npm.toString())
                                .timeout(Duration.ofMillis(300))
                                .build());
        assertThatThrownBy(data::ensure)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not finish within PT0.3S");
    }

    private Path script(String name, String... lines) throws IOException {
        Path path = dir.resolve(name);
        Files.write(
                path,
                ("#!/bin/sh\n" + String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        return path;
    }
}
