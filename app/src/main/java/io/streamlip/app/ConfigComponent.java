package io.streamlip.app;

import io.streamlip.filter.config.FilterArguments;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A section of a configuration file that several commands share: a set of long options, which every
 * command that has one of them reads from the section ({@code trainer: batch-size: 64} is {@code
 * --batch-size 64} for {@code demo} and {@code train}). A command's own section wins over a shared
 * one; the command line wins over both.
 *
 * @param section the section's name
 * @param about what the section configures, for the example file
 * @param options the long option names ({@code --batch-size}) it holds
 */
record ConfigComponent(String section, String about, Set<String> options) {

    /** Every shared section, in the example file's order. */
    static List<ConfigComponent> all() {
        return List.of(
                new ConfigComponent(
                        ConfigArgs.KAFKA_SECTION,
                        "Kafka, for every command that connects to it.",
                        optionsOf(KafkaOptions::new)),
                new ConfigComponent(
                        "filter",
                        "Curation thresholds, evaluation sets, language caps, blocklists and the"
                                + " fetching of url-only pairs of the filter job (streamlip demo,"
                                + " submit).",
                        longNames(FilterArguments.NAMES)),
                new ConfigComponent(
                        "score",
                        "The live-model loop: the filter's cross-modal score with the trainer's"
                                + " newest checkpoint (streamlip demo, submit).",
                        union(optionsOf(CrossModalOptions::new), Set.of("--live-model"))),
                new ConfigComponent(
                        "tokenize",
                        "The tokenize job: tokenizer, example image size and CLIPPO rendering"
                                + " (streamlip demo, train, submit).",
                        orderedSet(
                                "--tokenizer", "--image-size", "--render-text", "--render-font")),
                new ConfigComponent(
                        "sinks",
                        "WebDataset and Avro shards of the curated pairs and the examples"
                                + " (streamlip demo, submit).",
                        orderedSet(
                                "--webdataset",
                                "--avro",
                                "--curated-webdataset-dir",
                                "--curated-avro-dir",
                                "--examples-webdataset-dir",
                                "--examples-avro-dir",
                                "--shard-records",
                                "--shard-max-record-bytes")),
                new ConfigComponent(
                        "trainer",
                        "The trainer: model, batch, optimizer, checkpoints (streamlip demo, train).",
                        optionsOf(TrainerOptions::new)));
    }

    /** The shared section called {@code name}. */
    static Optional<ConfigComponent> named(String name) {
        return all().stream().filter(c -> c.section.equals(name)).findFirst();
    }

    /** The shared section that holds {@code option}, if any. */
    static Optional<ConfigComponent> holding(OptionSpec option) {
        return all().stream().filter(c -> c.options.contains(option.longestName())).findFirst();
    }

    /** {@code --key}'s option in {@code spec} when this section holds it. */
    OptionSpec optionIn(CommandSpec spec, String key) {
        OptionSpec option = spec.findOption("--" + ConfigArgs.optionName(key));
        return option != null && options.contains(option.longestName()) ? option : null;
    }

    private static Set<String> optionsOf(Supplier<Object> mixin) {
        Set<String> names = new LinkedHashSet<>();
        for (OptionSpec o : CommandSpec.forAnnotatedObject(mixin.get()).options()) {
            names.add(o.longestName());
        }
        return names;
    }

    private static Set<String> orderedSet(String... names) {
        return new LinkedHashSet<>(List.of(names));
    }

    private static Set<String> longNames(List<String> names) {
        Set<String> out = new LinkedHashSet<>();
        names.forEach(n -> out.add("--" + n));
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }
}
