package io.streamlip.app;

import io.streamlip.bench.EmojiLearningBenchmark;
import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.tokenize.subword.BpeModel;
import io.streamlip.tokenize.subword.BpeTrainer;
import io.streamlip.tokenize.subword.LanguageSample;
import io.streamlip.tokenize.subword.SubwordTokenizer;
import io.streamlip.tokenize.subword.TokenizerJson;
import io.streamlip.tokenize.subword.TrainingCaptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamlip tokenizer train ...}: subword vocabularies for the tokenize job. */
@Command(
        name = "tokenizer",
        mixinStandardHelpOptions = true,
        description = {
            "Subword tokenizers for the tokenize job (see 'tokenizer train --help').",
            ""
        },
        subcommands = {TokenizerCommand.Train.class})
final class TokenizerCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the training text comes from: exactly one. */
    static final class Source {
        @Option(
                names = "--from-topic",
                paramLabel = "TOPIC",
                description =
                        "A Kafka topic of CuratedPair or RawPair records, read to its current end"
                                + " (needs --bootstrap).")
        String topic;

        @Option(
                names = "--from-folder",
                paramLabel = "DIR",
                description = "A pairs folder: its pairs.jsonl's text and lang.")
        Path folder;

        @Option(
                names = "--from-emoji",
                description =
                        "The emoji x CLDR names and keyword lists of --languages (fetched into"
                                + " --data with npm if missing).")
        boolean emoji;
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Train a byte-level BPE vocabulary (NFC, language-balanced sample, every string"
                        + " encodes) and write it as a Hugging Face tokenizer.json that the"
                        + " tokenize job and the trainer take as --tokenizer FILE (demo, train,"
                        + " submit), and the DJL binding and the Python tokenizers library"
                        + " load. Prints a JSON summary.",
                ""
            })
    static final class Train implements Callable<Integer> {

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @ArgGroup(exclusive = false)
        KafkaOptions kafka;

        @Option(
                names = "--vocab-size",
                paramLabel = "N",
                defaultValue = "8192",
                description =
                        "Tokens including 2 special and 256 byte tokens (default:"
                                + " ${DEFAULT-VALUE}).")
        int vocabSize;

        @Option(
                names = "--per-language",
                paramLabel = "N",
                defaultValue = "20000",
                description =
                        "Captions sampled per language at most, so no language crowds out the"
                                + " rest (default: ${DEFAULT-VALUE}).")
        int perLanguage;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "FILE",
                description = "Where to write tokenizer.json.")
        Path out;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                defaultValue = "data",
                description = "--from-emoji: folder of the tarballs (default: ${DEFAULT-VALUE}).")
        Path data;

        @Option(
                names = "--languages",
                split = ",",
                paramLabel = "LANG",
                description = "--from-emoji: locales (default: the demo's 16 languages).")
        List<String> languages;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            BpeTrainer.Config config =
                    BpeTrainer.Config.builder()
                            .vocabSize(vocabSize)
                            .capPerLanguage(perLanguage)
                            .build();
            LanguageSample sample = config.newSample();
            long offered;
            if (source.topic != null) {
                if (kafka == null) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "--from-topic needs --bootstrap HOST:PORT");
                }
                offered = TrainingCaptions.fromTopic(kafka.clients(), source.topic, sample);
            } else if (source.folder != null) {
                if (!Files.isDirectory(source.folder)) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--from-folder " + source.folder + " is not a folder");
                }
                offered = TrainingCaptions.fromFolder(source.folder, sample);
            } else {
                // The CLDR names and keyword lists, one vendor: the captions are the same for
                // every vendor.
                EmojiCorpus corpus =
                        EmojiCorpus.open(
                                EmojiData.at(data).ensure(),
                                EmojiCorpus.Config.builder()
                                        .vendors(List.of("google"))
                                        .locales(
                                                languages == null
                                                        ? EmojiLearningBenchmark.DEMO_LANGUAGES
                                                        : languages)
                                        .keywordPairs(true)
                                        .order(EmojiCorpus.Order.CATALOGUE)
                                        .build());
                offered = TrainingCaptions.fromPairs(corpus.pairs(), sample);
            }
            if (sample.texts().isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "no captions to train on (" + offered + " read)");
            }
            long start = System.nanoTime();
            BpeModel model = new BpeTrainer(config).train(sample);
            double seconds = (System.nanoTime() - start) / 1e9;
            byte[] json = TokenizerJson.write(model);
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(out, json);

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("out", out.toString());
            summary.put(
                    "version",
                    SubwordTokenizer.of(json, 2, SubwordTokenizer.Engine.JAVA).version());
            summary.put("vocab_size", model.vocabSize());
            summary.put("merges", model.merges().size());
            summary.put("captions_read", offered);
            summary.put("captions_sampled", sample.texts().size());
            Map<String, Integer> perLang = new LinkedHashMap<>();
            sample.byLanguage().forEach((lang, texts) -> perLang.put(lang, texts.size()));
            summary.put("sampled_per_language", perLang);
            summary.put("train_seconds", seconds);
            var printer = spec.commandLine().getOut();
            printer.println(Json.pretty(summary));
            printer.flush();
            return 0;
        }
    }
}
