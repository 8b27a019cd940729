package io.streamlip.app;

import io.streamlip.app.ConfigFile.InvalidConfigException;
import io.streamlip.app.ConfigFile.Setting;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns a configuration file into command-line options: {@code streamlip --config F demo --minutes
 * 2} runs as {@code streamlip demo <the demo: and kafka: settings of F> --minutes 2}. Options given
 * on the command line win over the file's keys; a key that names no option of the command, or a
 * value the option refuses, is an error naming the file, line and key.
 */
public final class ConfigArgs {
    /** The option that names the file, on every command. */
    public static final String OPTION = "--config";

    /** The section every command with Kafka options reads. */
    public static final String KAFKA_SECTION = "kafka";

    private ConfigArgs() {}

    /**
     * {@code args} with {@value #OPTION} removed and the file's settings for the chosen command
     * inserted after its name; {@code args} itself when there is no {@value #OPTION}.
     *
     * @param commands makes a fresh command line (each setting is checked on its own)
     */
    public static String[] expand(Supplier<CommandLine> commands, String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        Optional<Path> file = takeConfigOption(rest);
        if (file.isEmpty()) {
            return args;
        }
        ConfigFile config = ConfigFile.read(file.get());
        CommandLine root = commands.get();
        int at = -1;
        for (int i = 0; i < rest.size(); i++) {
            if (root.getSubcommands().containsKey(rest.get(i))) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return rest.toArray(String[]::new);
        }
        String command = rest.get(at);
        if (command.equals("config")) {
            return args; // config show/check name the file themselves
        }
        CommandSpec spec = root.getSubcommands().get(command).getCommandSpec();
        List<String> given = rest.subList(at + 1, rest.size());
        List<String> injected = new ArrayList<>();
        for (Setting s : settingsFor(config, command)) {
            OptionSpec option = optionOf(spec, s);
            if (option == null) {
                if (s.section().equals(KAFKA_SECTION)) {
                    continue; // shared section: this command does not connect to Kafka
                }
                throw unknown(config, s, spec);
            }
            if (isGiven(option, given)) {
                continue; // the command line wins
            }
            List<String> asArgs = arguments(config, s, option);
            check(commands, config, s, command, option, asArgs);
            injected.addAll(asArgs);
        }
        rest.addAll(at + 1, injected);
        return rest.toArray(String[]::new);
    }

    /** The settings {@code command} reads: {@code kafka:} first, then its own section. */
    static List<Setting> settingsFor(ConfigFile config, String command) {
        List<Setting> out = new ArrayList<>();
        out.addAll(config.sections().getOrDefault(KAFKA_SECTION, List.of()));
        out.addAll(config.sections().getOrDefault(command, List.of()));
        return out;
    }

    /**
     * Checks every section and key of {@code config} against the commands of {@code commands}
     * without running anything: unknown sections and keys, and values their options refuse.
     */
    public static void checkAll(Supplier<CommandLine> commands, ConfigFile config) {
        CommandLine root = commands.get();
        for (Map.Entry<String, List<Setting>> section : config.sections().entrySet()) {
            String name = section.getKey();
            boolean kafka = name.equals(KAFKA_SECTION);
            if (!kafka && !configurable(root, name)) {
                int line = section.getValue().isEmpty() ? 0 : section.getValue().get(0).line();
                throw new InvalidConfigException(
                        config.file()
                                + ":"
                                + line
                                + ": no command '"
                                + name
                                + "'; sections are kafka and "
                                + String.join(", ", configurableCommands(root)));
            }
            for (Setting s : section.getValue()) {
                boolean known = false;
                for (String command : kafka ? configurableCommands(root) : List.of(name)) {
                    CommandSpec spec = root.getSubcommands().get(command).getCommandSpec();
                    OptionSpec option = optionOf(spec, s);
                    if (option != null) {
                        known = true;
                        check(commands, config, s, command, option, arguments(config, s, option));
                    }
                }
                if (!known) {
                    throw kafka
                            ? new InvalidConfigException(
                                    config.at(s)
                                            + ": "
                                            + s.name()
                                            + ": no command has an option --"
                                            + optionName(s.key()))
                            : unknown(config, s, root.getSubcommands().get(name).getCommandSpec());
                }
            }
        }
    }

    /** The commands a configuration file can hold a section for, in the help's order. */
    static List<String> configurableCommands(CommandLine root) {
        return root.getSubcommands().keySet().stream()
                .filter(name -> configurable(root, name))
                .toList();
    }

    private static boolean configurable(CommandLine root, String name) {
        CommandLine sub = root.getSubcommands().get(name);
        return sub != null
                && sub.getSubcommands().isEmpty()
                && !name.equals("help")
                && sub.getCommandSpec().options().stream().anyMatch(ConfigArgs::settable);
    }

    /** Whether a file may set {@code option}: not help, version or the file option itself. */
    static boolean settable(OptionSpec option) {
        return !option.usageHelp()
                && !option.versionHelp()
                && !List.of(option.names()).contains(OPTION);
    }

    static String optionName(String key) {
        return key.replace('_', '-');
    }

    private static OptionSpec optionOf(CommandSpec spec, Setting s) {
        OptionSpec option = spec.findOption("--" + optionName(s.key()));
        return option != null && settable(option) ? option : null;
    }

    private static boolean isGiven(OptionSpec option, List<String> given) {
        for (String arg : given) {
            for (String name : option.names()) {
                if (arg.equals(name) || arg.startsWith(name + "=")) {
                    return true;
                }
            }
            if (option.negatable() && arg.equals(negated(option))) {
                return true;
            }
        }
        return false;
    }

    private static String negated(OptionSpec option) {
        return option.longestName().replaceFirst("^--(no-)?", "--no-");
    }

    private static List<String> arguments(ConfigFile config, Setting s, OptionSpec option) {
        List<String> out = new ArrayList<>();
        String name = option.longestName();
        boolean flag = option.arity().max() == 0;
        if (flag) {
            if (s.values().size() != 1 || !s.values().get(0).matches("true|false")) {
                throw new InvalidConfigException(
                        config.at(s) + ": " + s.name() + ": expected true or false");
            }
            boolean on = Boolean.parseBoolean(s.values().get(0));
            if (on) {
                out.add(name);
            } else if (option.negatable()) {
                out.add(negated(option));
            }
            return out;
        }
        if (s.values().size() > 1 && !option.isMultiValue()) {
            throw new InvalidConfigException(
                    config.at(s) + ": " + s.name() + ": takes one value, not a list");
        }
        for (String v : s.values()) {
            out.add(name);
            out.add(v);
        }
        return out;
    }

    /** Parses {@code command} with just this setting, so a refused value names its line. */
    private static void check(
            Supplier<CommandLine> commands,
            ConfigFile config,
            Setting s,
            String command,
            OptionSpec option,
            List<String> asArgs) {
        List<String> probe = new ArrayList<>();
        probe.add(command);
        probe.addAll(asArgs);
        try {
            commands.get().parseArgs(probe.toArray(String[]::new));
        } catch (CommandLine.MissingParameterException missingOther) {
            // other required options are the command line's business
        } catch (CommandLine.ParameterException e) {
            throw new InvalidConfigException(
                    config.at(s) + ": " + s.name() + ": " + e.getMessage());
        }
    }

    private static InvalidConfigException unknown(ConfigFile config, Setting s, CommandSpec spec) {
        List<String> keys =
                spec.options().stream()
                        .filter(ConfigArgs::settable)
                        .map(o -> o.longestName().substring(2))
                        .sorted()
                        .toList();
        return new InvalidConfigException(
                config.at(s)
                        + ": "
                        + s.name()
                        + ": streamlip "
                        + spec.name()
                        + " has no option --"
                        + optionName(s.key())
                        + "; its keys: "
                        + String.join(", ", keys));
    }

    /** Removes {@code --config F} or {@code --config=F} from {@code args}; the last one wins. */
    static Optional<Path> takeConfigOption(List<String> args) {
        Path file = null;
        for (int i = 0; i < args.size(); ) {
            String a = args.get(i);
            if (a.equals(OPTION)) {
                if (i + 1 >= args.size()) {
                    throw new InvalidConfigException(OPTION + " needs a file");
                }
                file = Path.of(args.get(i + 1));
                args.subList(i, i + 2).clear();
            } else if (a.startsWith(OPTION + "=")) {
                file = Path.of(a.substring(OPTION.length() + 1));
                args.remove(i);
            } else if (a.equals("--")) {
                break;
            } else {
                i++;
            }
        }
        return Optional.ofNullable(file);
    }
}
