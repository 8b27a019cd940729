package io.streamlip.platform.flink;

import io.streamlip.platform.config.ConfigFile;
import io.streamlip.platform.config.ConfigFile.InvalidConfigException;
import io.streamlip.platform.config.ConfigFile.Setting;
import io.streamlip.platform.kafka.Secrets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job's {@code --config FILE}: the same configuration file as {@code streamlip --config}, read by
 * the job's {@code main}, so a cluster (or a Kubernetes ConfigMap) needs one file for every
 * component. The job takes {@code kafka:} and the job settings of {@code submit:} ({@code
 * checkpoint-dir}, {@code parallelism}, {@code restart-*}, ...), ignoring the keys that are the
 * CLI's own, and every key of its own sections ({@code filter:} and {@code score:} for the filter
 * job), where a key that is not one of its options is an error naming the file and line. Arguments
 * on the command line win over the file.
 *
 * @param ownSections the sections whose every key must be a job option
 * @param jobOptionNames the job's own options (without {@code --})
 * @param aliases a section key that is another name for a job option ({@code live-model} for {@code
 *     crossmodal-score})
 */
public record JobConfigFile(
        List<String> ownSections, Set<String> jobOptionNames, Map<String, String> aliases) {
    /** The option that names the file. */
    public static final String OPTION = "--config";

    /** Sections every job reads the keys it knows from. */
    static final List<String> SHARED_SECTIONS = List.of("kafka", "submit", "sinks");

    public JobConfigFile {
        ownSections = List.copyOf(ownSections);
        jobOptionNames = Set.copyOf(jobOptionNames);
        aliases = Map.copyOf(aliases);
    }

    /**
     * {@code args} without {@value #OPTION} and with the file's settings before them; {@code args}
     * itself when there is no {@value #OPTION}.
     *
     * @throws InvalidConfigException naming the file and line of a key the job does not know
     */
    public String[] expand(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        Path file = null;
        for (int i = 0; i < rest.size(); ) {
            if (rest.get(i).equals(OPTION)) {
                if (i + 1 >= rest.size()) {
                    throw new InvalidConfigException(OPTION + " needs a file");
                }
                file = Path.of(rest.get(i + 1));
                rest.subList(i, i + 2).clear();
            } else if (rest.get(i).startsWith(OPTION + "=")) {
                file = Path.of(rest.remove(i).substring(OPTION.length() + 1));
            } else {
                i++;
            }
        }
        if (file == null) {
            return args;
        }
        ConfigFile config = ConfigFile.read(file);
        Set<String> given = new HashSet<>();
        for (String arg : rest) {
            if (arg.startsWith("--")) {
                given.add(arg.substring(2).split("=", 2)[0]);
            }
        }
        List<String> injected = new ArrayList<>();
        List<String> sections = new ArrayList<>(SHARED_SECTIONS);
        sections.addAll(ownSections);
        for (String section : sections) {
            for (Setting s : config.sections().getOrDefault(section, List.of())) {
                String name = aliases.getOrDefault(key(s), key(s));
                boolean known =
                        jobOptionNames.contains(name)
                                || JobArguments.KNOWN.contains(name)
                                || ("--" + name).equals(Secrets.KAFKA_PROPERTY_OPTION);
                if (!known) {
                    if (ownSections.contains(section)) {
                        throw new InvalidConfigException(
                                config.at(s)
                                        + ": "
                                        + s.name()
                                        + ": the job has no option --"
                                        + name
                                        + "; its options: "
                                        + String.join(
                                                ", ", jobOptionNames.stream().sorted().toList()));
                    }
                    continue; // the CLI's own key (submit.jar, submit.flink, ...)
                }
                if (given.contains(name)) {
                    continue; // the command line wins
                }
                boolean repeatable = ("--" + name).equals(Secrets.KAFKA_PROPERTY_OPTION);
                if (s.values().size() != 1 && !repeatable) {
                    throw new InvalidConfigException(
                            config.at(s) + ": " + s.name() + ": takes one value, not a list");
                }
                for (String value : s.values()) {
                    if (name.equals("bounded")) {
                        if (Boolean.parseBoolean(value)) {
                            injected.add("--bounded");
                        }
                        continue;
                    }
                    injected.add("--" + name);
                    injected.add(value);
                }
            }
        }
        injected.addAll(rest);
        return injected.toArray(String[]::new);
    }

    private static String key(Setting s) {
        return s.key().replace('_', '-');
    }
}
