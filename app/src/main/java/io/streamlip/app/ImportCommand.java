package io.streamlip.app;

import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.importer.ImportStats;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.ingest.pairs.PairsFolderImporter;
import io.streamlip.ingest.synthetic.SyntheticImporter;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code streamlip import SOURCE --bootstrap HOST:PORT}: pairs onto a running pipeline's Kafka. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Import image-text pairs onto the raw-pairs topic of a running Kafka: the emoji x CLDR"
                    + " corpus, the built-in synthetic source, or a folder in the pairs.jsonl"
                    + " format (images plus one JSON object per line: image, text, lang, class).",
            "Creates the pipeline topics that do not exist. Prints the import statistics as one"
                    + " JSON object.",
            "A pairs-folder line that is malformed, oversized, or names an image that is missing,"
                    + " too large, outside the folder or behind a symbolic link is refused: counted"
                    + " under \"rejected\" (per reason, first examples with their line) and the"
                    + " import goes on; --strict stops at the first one instead.",
            ""
        })
final class ImportCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "SOURCE",
            description = "emoji, synthetic, or the path of a pairs folder.")
    String source;

    @Mixin KafkaOptions kafka;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            defaultValue = "data",
            description =
                    "Folder of the emoji x CLDR tarballs, fetched with npm if missing"
                            + " (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(
            names = "--languages",
            split = ",",
            paramLabel = "LANG",
            description = "emoji: locales to import (default: the demo's 16 languages).")
    List<String> languages;

    @Option(
            names = "--max-pairs",
            paramLabel = "N",
            defaultValue = "0",
            description = "Import at most N pairs, 0 for all (default: ${DEFAULT-VALUE}).")
    long maxPairs;

    @Option(
            names = "--count",
            paramLabel = "N",
            defaultValue = "10000",
            description = "synthetic: how many pairs (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(
            names = "--strict",
            description =
                    "Pairs folder: stop with a non-zero exit at the first refused line (its line"
                            + " number and reason in the message) instead of counting it and going"
                            + " on.")
    boolean strict;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PairImporter importer = importer().limit(maxPairs);
        PipelineTopics topics = kafka.createTopics();
        ImportStats stats;
        try (PairProducer producer = new PairProducer(kafka.clients(), topics.rawPairs());
                var bar = Progress.bar("import " + importer.name(), importer.expectedPairs())) {
            stats = importer.importTo(producer, (done, total) -> bar.stepTo(done));
        }
        var out = spec.commandLine().getOut();
        out.println(Json.pretty(stats));
        out.flush();
        if (stats.rejected().total() > 0) {
            var err = spec.commandLine().getErr();
            err.println(
                    "streamlip: "
                            + importer.name()
                            + ": refused "
                            + stats.rejected().total()
                            + " input lines "
                            + stats.rejected().perReason()
                            + ", first: "
                            + stats.rejected().examples().get(0));
            err.flush();
        }
        return 0;
    }

    private PairImporter importer() {
        return switch (source.toLowerCase(Locale.ROOT)) {
            case "emoji" ->
                    EmojiCorpus.open(
                            EmojiData.at(data).ensure(),
                            EmojiCorpus.Config.builder()
                                    .locales(
                                            languages == null
                                                    ? DemoConfig.DEFAULT_LANGUAGES
                                                    : languages)
                                    .build());
            case "synthetic" -> new SyntheticImporter(64, count, 7);
            default -> {
                Path folder = Path.of(source);
                if (!Files.isDirectory(folder)) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "SOURCE must be emoji, synthetic or a pairs folder; '"
                                    + source
                                    + "' is none of them");
                }
                yield PairsFolderImporter.open(
                        folder,
                        Instant.now(),
                        PairsFolderImporter.Options.builder().strict(strict).build());
            }
        };
    }
}
