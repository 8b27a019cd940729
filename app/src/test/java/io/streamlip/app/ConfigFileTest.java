package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.platform.config.ConfigFile;
import io.streamlip.platform.config.ConfigFile.InvalidConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigFileTest {
    @TempDir Path temp;

    Path write(String yaml) throws IOException {
        Path f = temp.resolve("streamlip.yaml");
        Files.writeString(f, yaml, StandardCharsets.UTF_8);
        return f;
    }

    static String[] expand(String... args) {
        return ConfigArgs.expand(Streamlip::commandLine, args);
    }

    @Test
    void aSectionBecomesTheCommandsOptionsAndTheCommandLineWins() throws IOException {
        Path f =
                write(
                        """
                        kafka:
                          bootstrap: broker:9092
                          kafka-property:
                            security.protocol: SASL_SSL
                            sasl.jaas.config: secret-stuff
                        train:
                          batch_size: 64
                          minutes: 3
                        import:
                          strict: true
                        """);
        assertThat(expand("--config", f.toString(), "train", "--minutes", "5"))
                .containsExactly(
                        "train",
                        "--bootstrap",
                        "broker:9092",
                        "--kafka-property",
                        "security.protocol=SASL_SSL",
                        "--kafka-property",
                        "sasl.jaas.config=secret-stuff",
                        "--batch-size",
                        "64",
                        "--minutes",
                        "5");
        // after the command's name too, and a flag set to true
        assertThat(expand("import", "--config=" + f, "--from", "x"))
                .containsSubsequence("import", "--bootstrap", "broker:9092", "--strict")
                .doesNotContain("--config=" + f, "--batch-size");
        // no file: untouched
        String[] plain = {"train", "--minutes", "5"};
        assertThat(expand(plain)).isSameAs(plain);
    }

    @Test
    void theExpandedCommandLineParsesAsTheFileSays() throws IOException {
        Path f = write("train:\n  batch-size: 64\n  minutes: 3\n");
        CommandLine cli = Streamlip.commandLine();
        CommandLine.ParseResult parsed =
                cli.parseArgs(expand("--config", f.toString(), "train", "--bootstrap", "x:1"));
        CommandLine.ParseResult train = parsed.subcommand();
        assertThat((Integer) train.matchedOptionValue("--batch-size", 0)).isEqualTo(64);
        assertThat((Double) train.matchedOptionValue("--minutes", 0.0)).isEqualTo(3.0);
    }

    @Test
    void unknownKeysSectionsAndRefusedValuesNameTheLine() throws IOException {
        Path f = write("train:\n  minutes: 3\n  batch-sise: 64\n");
        assertThatThrownBy(() -> expand("--config", f.toString(), "train"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(f + ":3: train.batch-sise: streamlip train has no option")
                .hasMessageContaining("batch-size");

        Path bad = write("train:\n  batch-size: many\n");
        assertThatThrownBy(() -> expand("--config", bad.toString(), "train"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(bad + ":2: train.batch-size:")
                .hasMessageContaining("many");

        Path section = write("trian:\n  minutes: 3\n");
        assertThatThrownBy(() -> ConfigArgs.checkAll(Streamlip::commandLine, read(section)))
                .hasMessageContaining(
                        section + ":2: no section 'trian'; sections are kafka, filter");

        Path flag = write("import:\n  strict: maybe\n");
        assertThatThrownBy(() -> expand("--config", flag.toString(), "import"))
                .hasMessageContaining(flag + ":2: import.strict: expected true or false");

        Path notYaml = write("train:\n  minutes: [3\n");
        assertThatThrownBy(() -> ConfigFile.read(notYaml))
                .hasMessageContaining(notYaml + ": not valid YAML");

        Path twice = write("train:\n  minutes: 3\n  minutes: 4\n");
        assertThatThrownBy(() -> ConfigFile.read(twice))
                .hasMessageContaining(twice + ":3: train.minutes twice");

        assertThatThrownBy(() -> ConfigFile.read(temp.resolve("missing.yaml")))
                .hasMessageContaining("no such file");
    }

    @Test
    void sharedSectionsReachEveryCommandWithTheOptionAndACommandsOwnSectionWins()
            throws IOException {
        Path f =
                write(
                        """
                        filter:
                          min-image-side: 24
                          language-caps: {en: 500}
                        score:
                          crossmodal-top-fraction: 0.8
                        trainer:
                          batch-size: 32
                        tokenize:
                          tokenizer: bytes
                        demo:
                          batch-size: 16
                        """);
        assertThat(expand("--config", f.toString(), "demo"))
                .containsSubsequence("--min-image-side", "24")
                .containsSubsequence("--language-caps", "en=500")
                .containsSubsequence("--crossmodal-top-fraction", "0.8")
                .containsSubsequence("--batch-size", "16")
                .doesNotContain("32");
        assertThat(expand("--config", f.toString(), "train", "--bootstrap", "x:1"))
                .containsSubsequence("--batch-size", "32")
                .containsSubsequence("--tokenizer", "bytes")
                .doesNotContain("--min-image-side", "--crossmodal-top-fraction");
        assertThat(expand("--config", f.toString(), "submit", "--bootstrap", "x:1"))
                .containsSubsequence("--min-image-side", "24")
                .doesNotContain("--batch-size");
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs(dropCommand(expand("--config", f.toString(), "demo")));
        assertThat(demo.demoConfig().filter().minImageSide()).isEqualTo(24);
        assertThat(demo.demoConfig().filter().language().caps()).containsEntry("en", 500L);
        assertThat(demo.demoConfig().trainer().batchSize()).isEqualTo(16);

        Path unknown = write("filter:\n  min-image-size: 24\n");
        assertThatThrownBy(() -> ConfigArgs.checkAll(Streamlip::commandLine, read(unknown)))
                .hasMessageContaining(
                        unknown + ":2: filter.min-image-size: the filter section has no key")
                .hasMessageContaining("min-image-side");
        Path bad = write("trainer:\n  batch-size: many\n");
        assertThatThrownBy(() -> ConfigArgs.checkAll(Streamlip::commandLine, read(bad)))
                .hasMessageContaining(bad + ":2: trainer.batch-size:");
        Path badFilter = write("filter:\n  max-aspect-ratio: wide\n");
        assertThatThrownBy(() -> expand("--config", badFilter.toString(), "demo"))
                .hasMessageContaining(badFilter + ":2: filter.max-aspect-ratio:")
                .hasMessageContaining("takes a number, got 'wide'");
    }

    private static String[] dropCommand(String[] args) {
        return java.util.Arrays.copyOfRange(args, 1, args.length);
    }

    @Test
    void theCommandReportsABadFileInOneLineWithUsageExit() throws IOException {
        Path f = write("demo:\n  minuets: 2\n");
        StringWriter err = new StringWriter();
        CommandLine cli = Streamlip.commandLine();
        cli.setErr(new PrintWriter(err));
        int code = Streamlip.execute(cli, "--config", f.toString(), "demo");
        assertThat(code).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).startsWith("streamlip: " + f + ":2: demo.minuets");
    }

    @Test
    void showPrintsEffectiveValuesWithTheirSourceAndHidesSecrets() throws IOException {
        Path f =
                write(
                        """
                        kafka:
                          kafka-property:
                            sasl.jaas.config: secret-stuff
                            client.id: me
                        train:
                          batch-size: 64
                        """);
        StringWriter out = new StringWriter();
        CommandLine cli = Streamlip.commandLine();
        cli.setOut(new PrintWriter(out));
        int code = Streamlip.execute(cli, "config", "show", "--config", f.toString(), "train");
        assertThat(code).isZero();
        assertThat(out.toString())
                .contains("train:\n")
                .contains("batch-size: 64   # " + f + ":6")
                .contains("kafka-property: sasl.jaas.config=[hidden], client.id=me   # " + f + ":2")
                .contains("minutes:")
                .contains("# default")
                .contains("  tokenizer:    # default")
                .doesNotContain("secret-stuff");
    }

    @Test
    void theExampleFileDocumentsEveryKeyAndIsValid() throws IOException {
        StringWriter out = new StringWriter();
        CommandLine cli = Streamlip.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(Streamlip.execute(cli, "config", "example")).isZero();
        String example = out.toString();
        // what to copy over the committed file when a command's options change
        Files.writeString(Path.of("target", "streamlip.example.yaml"), example);
        Path committed = Path.of("..", "streamlip.example.yaml");
        assertThat(Files.readString(committed))
                .as("streamlip.example.yaml is `streamlip config example`'s output; regenerate it")
                .isEqualTo(example);
        for (String key : List.of("  # batch-size: 128", "  # minutes:", "kafka:", "demo:")) {
            assertThat(example).contains(key);
        }
        ConfigArgs.checkAll(Streamlip::commandLine, ConfigFile.read(committed));

        // every key with its default value written out is accepted as well
        StringBuilder all = new StringBuilder();
        CommandLine root = Streamlip.commandLine();
        for (String command : ConfigArgs.configurableCommands(root)) {
            all.append(command).append(":\n");
            for (var o : root.getSubcommands().get(command).getCommandSpec().options()) {
                String d = o.defaultValueString();
                if (ConfigArgs.settable(o) && d != null && !d.matches("null|\\{}|\\[]|")) {
                    all.append("  ").append(o.longestName().substring(2)).append(": '");
                    all.append(d.replace("'", "''")).append("'\n");
                }
            }
        }
        ConfigArgs.checkAll(Streamlip::commandLine, ConfigFile.read(write(all.toString())));
    }

    static ConfigFile read(Path f) {
        return ConfigFile.read(f);
    }
}
