package io.streamlip.app;

import io.streamlip.platform.config.ConfigFile;
import io.streamlip.platform.config.ConfigFile.Setting;
import io.streamlip.platform.kafka.Secrets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code streamlip config}: what a configuration file sets. {@code show} prints each command's
 * effective settings (the file's, else the default) with secrets hidden, {@code check} validates a
 * file without running anything, {@code example} prints a file documenting every key.
 */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = {
            "Configuration files: YAML with a section per command (demo:, train:, submit:, ...)"
                    + " and kafka: for every command that connects to Kafka. Keys are the"
                    + " commands' long options (batch-size: 64 is --batch-size 64); a list repeats"
                    + " the option, a map gives KEY=VALUE. Any command takes --config FILE;"
                    + " options on the command line win over the file."
        },
        subcommands = {
            ConfigCommand.Show.class,
            ConfigCommand.Check.class,
            ConfigCommand.Example.class
        })
public final class ConfigCommand implements Runnable {
    @CommandLine.Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static final Supplier<CommandLine> COMMANDS = Streamlip::commandLine;

    /** {@code config show}. */
    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Print the effective settings (file, else default), secrets hidden.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Spec CommandSpec spec;

        @Option(names = ConfigArgs.OPTION, paramLabel = "FILE", description = "The file.")
        Path file;

        @Parameters(
                paramLabel = "COMMAND",
                arity = "0..*",
                description = "Only these commands (default: all).")
        List<String> only = new ArrayList<>();

        @Override
        public Integer call() {
            ConfigFile config = file == null ? null : ConfigFile.read(file);
            if (config != null) {
                ConfigArgs.checkAll(COMMANDS, config);
            }
            CommandLine root = COMMANDS.get();
            List<String> commands = only.isEmpty() ? ConfigArgs.configurableCommands(root) : only;
            StringBuilder out = new StringBuilder();
            for (String command : commands) {
                CommandLine sub = root.getSubcommands().get(command);
                if (sub == null || !ConfigArgs.configurableCommands(root).contains(command)) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "no configurable command '"
                                    + command
                                    + "'; they are "
                                    + String.join(", ", ConfigArgs.configurableCommands(root)));
                }
                Map<String, Setting> fromFile = new HashMap<>();
                if (config != null) {
                    for (Setting s :
                            ConfigArgs.settingsFor(config, command, sub.getCommandSpec())) {
                        OptionSpec o =
                                sub.getCommandSpec()
                                        .findOption("--" + ConfigArgs.optionName(s.key()));
                        if (o != null) {
                            fromFile.put(o.longestName(), s);
                        }
                    }
                }
                out.append(command).append(":\n");
                for (OptionSpec o : sub.getCommandSpec().options()) {
                    if (!ConfigArgs.settable(o)) {
                        continue;
                    }
                    String key = o.longestName().substring(2);
                    Setting s = fromFile.get(o.longestName());
                    String value =
                            s != null ? String.join(", ", s.values()) : o.defaultValueString();
                    out.append("  ")
                            .append(key)
                            .append(": ")
                            .append(hide(key, s != null ? s.values() : null, value))
                            .append(s != null ? "   # " + config.at(s) : "   # default")
                            .append('\n');
                }
            }
            spec.commandLine().getOut().print(out);
            spec.commandLine().getOut().flush();
            return 0;
        }

        private static String hide(String key, List<String> values, String shown) {
            if (key.matches(".*(password|secret|credential|jaas).*")) {
                return Secrets.HIDDEN;
            }
            if (values == null) {
                return shown == null || shown.equals("null") ? "" : shown;
            }
            List<String> masked = new ArrayList<>();
            for (String v : values) {
                int eq = v.indexOf('=');
                masked.add(
                        eq > 0 && Secrets.isSecret(v.substring(0, eq))
                                ? v.substring(0, eq + 1) + Secrets.HIDDEN
                                : v);
            }
            return String.join(", ", masked);
        }
    }

    /** {@code config check}. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description =
                    "Validate a file: unknown sections or keys and refused values are errors"
                            + " naming the line. Exit 0 when valid.")
    static final class Check implements Callable<Integer> {
        @CommandLine.Spec CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The file.")
        Path file;

        @Override
        public Integer call() {
            ConfigFile config = ConfigFile.read(file);
            ConfigArgs.checkAll(COMMANDS, config);
            int keys = config.sections().values().stream().mapToInt(List::size).sum();
            spec.commandLine()
                    .getOut()
                    .println(
                            file
                                    + ": valid ("
                                    + config.sections().size()
                                    + " sections, "
                                    + keys
                                    + " keys)");
            return 0;
        }
    }

    /** {@code config example}. */
    @Command(
            name = "example",
            mixinStandardHelpOptions = true,
            description =
                    "Print a configuration file documenting every key with its default, all"
                            + " commented out (streamlip.example.yaml is this output).")
    static final class Example implements Callable<Integer> {
        @CommandLine.Spec CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(ConfigExample.render(COMMANDS.get()));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
