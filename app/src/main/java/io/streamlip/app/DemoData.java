package io.streamlip.app;

import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.emoji.EmojiEvalSet;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.ingest.noise.NoiseSimulator;
import io.streamlip.ingest.noise.NoisyImporter;
import io.streamlip.ingest.synthetic.SyntheticImporter;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's data: what it imports for training and the held-out set it evaluates on.
 *
 * @param source {@code emoji}, {@code synthetic} or {@code folder:<name>}
 * @param importer the training pairs
 * @param evalSet the held-out evaluation folder (emoji: the twitter style; synthetic: fresh images;
 *     folder: the user's evaluation set or images held out of the folder), or null when there is
 *     none (a folder too small to hold any out, or a holdout of 0)
 * @param note why this source was chosen and where its evaluation set comes from
 * @param languages the languages trained on (a folder: those its lines declare)
 */
record DemoData(
        String source, PairImporter importer, Path evalSet, String note, List<String> languages) {
    private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);

    /**
     * Chooses the source the configuration asks for and writes its held-out set under {@code out}.
     */
    static DemoData prepare(DemoConfig config, Path out) {
        DemoData clean = prepareClean(config, out);
        if (!config.noise().injects()) {
            return clean;
        }
        List<NoiseSimulator.EvalImage> evalImages =
                clean.evalSet() == null ? List.of() : NoiseSimulator.evalImages(clean.evalSet());
        NoisyImporter noisy =
                new NoisyImporter(clean.importer(), new NoiseSimulator(config.noise(), evalImages));
        LOG.info("injecting web noise into the import: {}", config.noise().rates());
        return new DemoData(
                clean.source(),
                noisy,
                clean.evalSet(),
                clean.note() + "; noise injected " + config.noise().rates(),
                clean.languages());
    }

    private static DemoData prepareClean(DemoConfig config, Path out) {
        Path evalSet = out.resolve("eval-heldout");
        return switch (config.source()) {
            case SYNTHETIC -> synthetic(config, evalSet, "synthetic data asked for");
            case FOLDER -> folder(config, evalSet);
            case EMOJI -> emoji(config, evalSet, EmojiData.at(config.dataDir()).ensure());
            case AUTO -> {
                try {
                    yield emoji(config, evalSet, EmojiData.at(config.dataDir()).ensure());
                } catch (IllegalStateException e) {
                    LOG.warn(
                            "falling back to the built-in synthetic source: the emoji corpus"
                                    + " cannot be had: {}",
                            e.getMessage());
                    String reason = e.getMessage().lines().findFirst().orElse("");
                    yield synthetic(config, evalSet, "emoji corpus unavailable: " + reason);
                }
            }
        };
    }

    private static DemoData emoji(DemoConfig config, Path evalSet, EmojiData data) {
        EmojiEvalSet.Config evalConfig =
                EmojiEvalSet.Config.builder()
                        .locales(config.languages())
                        .maxClasses(config.evalClasses())
                        .build();
        EmojiEvalSet.Result held = EmojiEvalSet.write(data, evalSet, evalConfig);
        LOG.info(
                "held-out set (twitter style): {} classes, {} texts in {}",
                held.classes(),
                held.lines(),
                evalSet);
        EmojiCorpus corpus =
                EmojiCorpus.open(
                        data, EmojiCorpus.Config.builder().locales(config.languages()).build());
        LOG.info(
                "emoji corpus: {} pairs from vendors {} in {} languages",
                corpus.expectedPairs(),
                corpus.imagesPerVendor().keySet(),
                corpus.locales().size());
        return new DemoData(
                "emoji",
                corpus.limit(config.maxPairs()),
                evalSet,
                "emoji x CLDR corpus from " + config.dataDir(),
                config.languages());
    }

    private static DemoData synthetic(DemoConfig config, Path evalSet, String why) {
        long lines = new SyntheticPairs(64).writeEvalSet(evalSet, 2, 20_240_601L);
        LOG.info("held-out set (fresh synthetic images): {} texts in {}", lines, evalSet);
        long count =
                config.maxPairs() > 0
                        ? Math.min(config.maxPairs(), config.syntheticPairs())
                        : config.syntheticPairs();
        return new DemoData(
                "synthetic", new SyntheticImporter(64, count, 7), evalSet, why, config.languages());
    }

    private static DemoData folder(DemoConfig config, Path heldOut) {
        Path folder = config.sourceFolder();
        int imageSize = config.trainer().model().imageSize();
        if (config.evalSet() != null) {
            DemoFolder.checkEvalSet(config.evalSet());
            DemoFolder data = DemoFolder.open(folder, 0, 0, heldOut, imageSize);
            LOG.info("pairs folder {}; evaluation set {}", folder, config.evalSet());
            return new DemoData(
                    data.importer().name(),
                    data.importer().limit(config.maxPairs()),
                    config.evalSet(),
                    "pairs folder " + folder + ", evaluated on " + config.evalSet(),
                    data.languages());
        }
        DemoFolder data =
                DemoFolder.open(folder, config.holdout(), config.evalClasses(), heldOut, imageSize);
        String note;
        if (data.evalSet() == null) {
            note =
                    "pairs folder "
                            + folder
                            + "; no held-out evaluation ("
                            + (config.holdout() == 0
                                    ? "--holdout 0"
                                    : "fewer than 2 images fell into the held-out "
                                            + config.holdout()
                                            + "; give --eval-set or a larger --holdout")
                            + ")";
        } else {
            note =
                    String.format(
                            java.util.Locale.ROOT,
                            "pairs folder %s; %d images (%d pairs) held out for evaluation",
                            folder,
                            data.heldOutImages(),
                            data.heldOutPairs());
        }
        LOG.info("{}", note);
        return new DemoData(
                data.importer().name(),
                data.importer().limit(config.maxPairs()),
                data.evalSet(),
                note,
                data.languages());
    }
}
