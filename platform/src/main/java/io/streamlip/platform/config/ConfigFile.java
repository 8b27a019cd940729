package io.streamlip.platform.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A {@code streamlip} configuration file: YAML with one section per command ({@code demo}, {@code
 * train}, ...) plus the sections several commands and the jobs share ({@code kafka}, {@code
 * filter}, ...). A section's keys are the command's long option names ({@code batch-size} or {@code
 * batch_size} for {@code --batch-size}); a value is a scalar, a list (the option repeated) or a map
 * ({@code KEY=VALUE} per entry). Every setting keeps its line, so errors can name it.
 */
public final class ConfigFile {
    /** Largest file read: a configuration, not a dataset. */
    public static final long MAX_BYTES = 1 << 20;

    /** One key of a section with its values as command-line arguments, and where it stands. */
    public record Setting(String section, String key, List<String> values, int line) {
        /** {@code section.key} as the user wrote it. */
        public String name() {
            return section + "." + key;
        }
    }

    /** A file that is not a valid configuration; the message names the file and line. */
    public static final class InvalidConfigException extends RuntimeException {
        public InvalidConfigException(String message) {
            super(message);
        }
    }

    private final Path file;
    private final Map<String, List<Setting>> sections;

    private ConfigFile(Path file, Map<String, List<Setting>> sections) {
        this.file = file;
        this.sections = sections;
    }

    /** The file's settings by section, in file order. */
    public Map<String, List<Setting>> sections() {
        return sections;
    }

    public Path file() {
        return file;
    }

    /** {@code file}:{@code line}, for messages. */
    public String at(Setting s) {
        return file + ":" + s.line();
    }

    /**
     * Reads {@code file}.
     *
     * @throws InvalidConfigException when it cannot be read, is not YAML, or is not sections of
     *     keys
     */
    public static ConfigFile read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new InvalidConfigException(file + ": no such file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new InvalidConfigException(
                        file + ": larger than " + MAX_BYTES + " bytes; not a configuration");
            }
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                return parse(file, in);
            }
        } catch (IOException e) {
            throw new InvalidConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    public static ConfigFile parse(Path file, Reader in) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setNestingDepthLimit(8);
        Node root;
        try {
            root = new Yaml(options).compose(in);
        } catch (YAMLException e) {
            throw new InvalidConfigException(file + ": not valid YAML: " + oneLine(e.getMessage()));
        }
        Map<String, List<Setting>> sections = new LinkedHashMap<>();
        if (root == null) {
            return new ConfigFile(file, sections);
        }
        if (!(root instanceof MappingNode top)) {
            throw new InvalidConfigException(
                    file + ":" + line(root) + ": expected sections (demo:, train:, kafka:, ...)");
        }
        for (NodeTuple t : top.getValue()) {
            String section = scalar(file, t.getKeyNode(), "a section name");
            if (sections.containsKey(section)) {
                throw new InvalidConfigException(
                        file + ":" + line(t.getKeyNode()) + ": section '" + section + "' twice");
            }
            Node body = t.getValueNode();
            List<Setting> settings = new ArrayList<>();
            if (body instanceof MappingNode keys) {
                Set<String> seen = new HashSet<>();
                for (NodeTuple kv : keys.getValue()) {
                    String key = scalar(file, kv.getKeyNode(), "a key");
                    if (!seen.add(key.replace('_', '-'))) {
                        throw new InvalidConfigException(
                                file
                                        + ":"
                                        + line(kv.getKeyNode())
                                        + ": "
                                        + section
                                        + "."
                                        + key
                                        + " twice");
                    }
                    settings.add(
                            new Setting(
                                    section,
                                    key,
                                    values(file, section + "." + key, kv.getValueNode()),
                                    line(kv.getKeyNode())));
                }
            } else if (!(body instanceof ScalarNode s && s.getValue().isEmpty())) {
                throw new InvalidConfigException(
                        file + ":" + line(body) + ": section '" + section + "' must hold keys");
            }
            sections.put(section, settings);
        }
        return new ConfigFile(file, sections);
    }

    private static List<String> values(Path file, String name, Node node) {
        if (node instanceof ScalarNode s) {
            return List.of(s.getValue());
        }
        if (node instanceof SequenceNode list) {
            List<String> out = new ArrayList<>();
            for (Node item : list.getValue()) {
                out.add(scalar(file, item, "a plain value in the list of " + name));
            }
            return out;
        }
        if (node instanceof MappingNode map) {
            List<String> out = new ArrayList<>();
            for (NodeTuple kv : map.getValue()) {
                out.add(
                        scalar(file, kv.getKeyNode(), "a key in " + name)
                                + "="
                                + scalar(file, kv.getValueNode(), "a plain value in " + name));
            }
            return out;
        }
        throw new InvalidConfigException(
                file + ":" + line(node) + ": " + name + " has a value of an unknown kind");
    }

    private static String scalar(Path file, Node node, String what) {
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        throw new InvalidConfigException(file + ":" + line(node) + ": expected " + what);
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").trim();
    }
}
