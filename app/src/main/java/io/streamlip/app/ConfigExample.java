package io.streamlip.app;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The documented example configuration, made from the commands' own options so it cannot drift from
 * them: every section and key with its description and default, commented out.
 */
final class ConfigExample {
    private static final int WIDTH = 100;

    private ConfigExample() {}

    static String render(CommandLine root) {
        StringBuilder out = new StringBuilder();
        out.append("# streamlip configuration: every key with its default, commented out.\n")
                .append("# Use: streamlip --config FILE COMMAND ... (options on the command line")
                .append(" win over the file).\n")
                .append("# Check: streamlip config check FILE; effective values: streamlip")
                .append(" config show --config FILE.\n")
                .append(
                        "# Shared sections (kafka, filter, score, tokenize, sinks, trainer) reach every")
                .append(" command with the option;\n")
                .append("# a command's own section may set the same keys for that command only,")
                .append(" and wins.\n")
                .append("# Made by `streamlip config example`; a test keeps it in step with")
                .append(" the commands.\n");
        List<String> commands = ConfigArgs.configurableCommands(root);
        for (ConfigComponent component : ConfigComponent.all()) {
            out.append("\n");
            comment(out, "", component.about() + " Shared by every command with these options.");
            out.append(component.section()).append(":\n");
            // in the component's order, each as the first command that has it documents it
            for (String name : component.options()) {
                commands.stream()
                        .map(c -> root.getSubcommands().get(c).getCommandSpec().findOption(name))
                        .filter(o -> o != null && ConfigArgs.settable(o))
                        .findFirst()
                        .ifPresent(o -> key(out, o));
            }
        }
        for (String command : commands) {
            CommandSpec spec = root.getSubcommands().get(command).getCommandSpec();
            String about = String.join(" ", spec.usageMessage().description());
            out.append("\n");
            comment(out, "", "streamlip " + command + ": " + about);
            out.append(command).append(":\n");
            for (OptionSpec o : spec.options()) {
                if (ConfigArgs.settable(o) && ConfigComponent.holding(o).isEmpty()) {
                    key(out, o);
                }
            }
        }
        return out.toString();
    }

    private static void key(StringBuilder out, OptionSpec o) {
        comment(out, "  ", String.join(" ", o.description()));
        String key = o.longestName().substring(2);
        String value = o.defaultValueString();
        if (value != null && (value.equals("null") || value.equals("{}") || value.equals("[]"))) {
            value = null;
        }
        if (o.arity().max() == 0) {
            value = value == null ? "false" : value;
        }
        out.append("  # ")
                .append(key)
                .append(":")
                .append(value == null || value.isEmpty() ? "" : " " + value)
                .append('\n');
    }

    private static void comment(StringBuilder out, String indent, String text) {
        String clean =
                text.replaceAll("\\s+", " ")
                        .replace("${DEFAULT-VALUE}", "")
                        .replace("%%", "%") // picocli's escape of a percent sign
                        .trim();
        if (clean.isEmpty()) {
            return;
        }
        StringBuilder line = new StringBuilder(indent + "#");
        for (String word : clean.split(" ")) {
            if (line.length() + word.length() + 1 > WIDTH) {
                out.append(line).append('\n');
                line = new StringBuilder(indent + "#");
            }
            line.append(' ').append(word);
        }
        out.append(line).append("\n");
    }
}
