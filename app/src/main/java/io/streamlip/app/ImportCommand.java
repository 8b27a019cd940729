package io.streamlip.app;

import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.formats.ImportFormat;
import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.ImportStats;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.ingest.pairs.PairsFolder;
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

/**
 * {@code streamlip import SOURCE --bootstrap HOST:PORT}: pairs onto a running pipeline's Kafka,
 * from the built-in sources, a pairs folder, or web data files ({@link ImportFormat}).
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Import image-text pairs onto the raw-pairs topic of a running Kafka: the emoji x CLDR"
                    + " corpus, the built-in synthetic source, a folder in the pairs.jsonl"
                    + " format (images plus one JSON object per line: image, text, lang, class),"
                    + " or web data as it is shipped: Parquet URL lists (LAION, DataComp), TSV URL"
                    + " lists (CC3M, CC12M), JSON Lines, WebDataset tar shards (img2dataset);"
                    + " a file or a folder of them. URL lists become pairs that carry image_url"
                    + " (fetched by the filter job); shards carry the image bytes.",
            "Creates the pipeline topics that do not exist. Prints the import statistics as one"
                    + " JSON object.",
            "A pairs-folder line that is malformed, oversized, or names an image that is missing,"
                    + " too large, outside the folder or behind a symbolic link is refused: counted"
                    + " under \"rejected\" (per reason, first examples with their line) and the"
                    + " import goes on; --strict stops at the first one instead. The web formats"
                    + " count what they refuse the same way (bad_url, missing_field, not_utf8,"
                    + " field_too_large, missing_image, member_too_large, truncated_tar, ...).",
            ""
        })
final class ImportCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "SOURCE",
            description =
                    "emoji, synthetic, a pairs folder, or a .parquet, .tsv, .jsonl or .tar file"
                            + " or a folder of them (format told by extension, else by content).")
    String source;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "auto",
            description =
                    "Read SOURCE as this format: auto, parquet, tsv, jsonl, webdataset or folder"
                            + " (default: ${DEFAULT-VALUE}).")
    String format;

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
            names = {"--limit", "--max-pairs"},
            paramLabel = "N",
            defaultValue = "0",
            description = "Import at most N pairs, 0 for all (default: ${DEFAULT-VALUE}).")
    long maxPairs;

    @Option(
            names = "--import-max-image-bytes",
            paramLabel = "BYTES",
            defaultValue = "8388608",
            description =
                    "Largest image an import carries (pairs folder, WebDataset, JSONL base64);"
                            + " larger ones are refused here, not by the filter (default:"
                            + " ${DEFAULT-VALUE}).")
    long maxImageBytes;

    @Option(
            names = "--max-line-bytes",
            paramLabel = "BYTES",
            defaultValue = "1048576",
            description =
                    "Longest index, TSV or JSONL line (a JSONL line may add one base64 image) and"
                            + " largest WebDataset .txt/.json member (default: ${DEFAULT-VALUE}).")
    int maxLineBytes;

    @Option(
            names = "--import-max-caption-chars",
            paramLabel = "N",
            defaultValue = "16384",
            description =
                    "Longest caption an import hands over, in UTF-16 chars; longer ones are refused"
                            + " here (default: ${DEFAULT-VALUE}, the raw topic's alt_text bound).")
    int maxCaptionChars;

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
            default -> fileImporter(Path.of(source));
        };
    }

    private PairImporter fileImporter(Path path) {
        if (!Files.exists(path)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "SOURCE must be emoji, synthetic or a pairs folder, or a Parquet, TSV, JSONL"
                            + " or WebDataset file or folder; '"
                            + source
                            + "' is none of them");
        }
        ImportBounds bounds;
        PairsFolder.Bounds folderBounds;
        ImportFormat chosen;
        try {
            bounds =
                    ImportBounds.builder()
                            .maxImageBytes(maxImageBytes)
                            .maxLineBytes(maxLineBytes)
                            .maxCaptionChars(maxCaptionChars)
                            .build();
            folderBounds =
                    PairsFolder.Bounds.builder()
                            .maxImageBytes(maxImageBytes)
                            .maxLineBytes(maxLineBytes)
                            .maxTextChars(maxCaptionChars)
                            .build();
            chosen =
                    format.equalsIgnoreCase("auto")
                            ? ImportFormat.detect(path)
                            : ImportFormat.of(format);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return chosen.open(
                path,
                bounds,
                PairsFolderImporter.Options.builder().strict(strict).bounds(folderBounds).build(),
                Instant.now());
    }
}
