package io.streamlip.app;

import io.streamlip.platform.config.ConfigFile;
import io.streamlip.platform.config.ConfigFile.InvalidConfigException;
import io.streamlip.platform.config.ConfigFile.Setting;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
        for (Setting s : settingsFor(config, command, spec)) {
            OptionSpec option = optionOf(spec, s);
            if (option == null) {
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

    /**
     * The settings {@code command} reads: those of the shared sections ({@link ConfigComponent})
     * that name one of its options, then its own section's, which win over a shared one.
     */
    static List<Setting> settingsFor(ConfigFile config, String command, CommandSpec spec) {
        List<Setting> own = config.sections().getOrDefault(command, List.of());
        Set<String> ownOptions = new HashSet<>();
        for (Setting s : own) {
            OptionSpec option = optionOf(spec, s);
            if (option != null) {
                ownOptions.add(option.longestName());
            }
        }
        List<Setting> out = new ArrayList<>();
        for (ConfigComponent component : ConfigComponent.all()) {
            for (Setting s : config.sections().getOrDefault(component.section(), List.of())) {
                OptionSpec option = component.optionIn(spec, s.key());
                if (option != null
                        && settable(option)
                        && !ownOptions.contains(option.longestName())) {
                    out.add(s);
                }
            }
        }
        out.addAll(own);
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
            Optional<ConfigComponent> shared = ConfigComponent.named(name);
            if (shared.isEmpty() && !configurable(root, name)) {
                int line = section.getValue().isEmpty() ? 0 : section.getValue().get(0).line();
                throw new InvalidConfigException(
                        config.file()
                                + ":"
                                + line
                                + ": no section '"
                                + name
                                + "'; sections are "
                                + String.join(", ", sectionNames(root)));
            }
            for (Setting s : section.getValue()) {
                if (shared.isPresent()) {
                    checkShared(commands, config, shared.get(), s);
                    continue;
                }
                CommandSpec spec = root.getSubcommands().get(name).getCommandSpec();
                OptionSpec option = optionOf(spec, s);
                if (option == null) {
                    throw unknown(config, s, spec);
                }
                check(commands, config, s, name, option, arguments(config, s, option));
            }
        }
    }

    /** A shared section's key must be one of its options; its value, valid for every command. */
    private static void checkShared(
            Supplier<CommandLine> commands,
            ConfigFile config,
            ConfigComponent component,
            Setting s) {
        CommandLine root = commands.get();
        boolean known = false;
        for (String command : configurableCommands(root)) {
            CommandSpec spec = root.getSubcommands().get(command).getCommandSpec();
            OptionSpec option = component.optionIn(spec, s.key());
            if (option != null && settable(option)) {
                known = true;
                check(commands, config, s, command, option, arguments(config, s, option));
            }
        }
        if (!known) {
            throw new InvalidConfigException(
                    config.at(s)
                            + ": "
                            + s.name()
                            + ": the "
                            + component.section()
                            + " section has no key "
                            + s.key()
                            + "; its keys: "
                            + String.join(
                                    ", ",
                                    component.options().stream()
                                            .map(o -> o.substring(2))
                                            .sorted()
                                            .toList()));
        }
    }

    /** Every section a file may hold: the shared ones, then one per configurable command. */
    static List<String> sectionNames(CommandLine root) {
        List<String> names = new ArrayList<>();
        ConfigComponent.all().forEach(c -> names.add(c.section()));
        names.addAll(configurableCommands(root));
        return names;
    }

    /** The commands a configuration file can hold a section for, in the help's order. */
    static List<String> configurableCommands(CommandLine root) {
        return root.getSubcommands().keySet().stream()
                .filter(name -> configurable(root, name))
                .toList();
    }

    private static boolean configurable(CommandLine root, String name) {
        CommandLine sub = root.getSubcommands().get(name);
        // bench runs on its own; its subcommands (learning-parity) are benchmarks with options
        // of their own, which the file does not set.
        return sub != null
                && (sub.getSubcommands().isEmpty()
                        || sub.getCommandSpec().userObject() instanceof BenchCommand)
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
