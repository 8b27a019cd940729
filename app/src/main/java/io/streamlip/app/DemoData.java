package io.streamlip.app;

import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.emoji.EmojiEvalSet;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.ingest.synthetic.SyntheticImporter;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's data: what it imports for training and the held-out set it evaluates on.
 *
 * @param source {@code emoji} or {@code synthetic}
 * @param importer the training pairs
 * @param evalSet the held-out evaluation folder (emoji: the twitter style; synthetic: fresh images)
 * @param note why this source was chosen, for the log and the summary
 */
record DemoData(String source, PairImporter importer, Path evalSet, String note) {
    private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);

    /**
     * Chooses the source the configuration asks for and writes its held-out set under {@code out}.
     */
    static DemoData prepare(DemoConfig config, Path out) {
        Path evalSet = out.resolve("eval-heldout");
        return switch (config.source()) {
            case SYNTHETIC -> synthetic(config, evalSet, "synthetic data asked for");
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
                "emoji x CLDR corpus from " + config.dataDir());
    }

    private static DemoData synthetic(DemoConfig config, Path evalSet, String why) {
        long lines = new SyntheticPairs(64).writeEvalSet(evalSet, 2, 20_240_601L);
        LOG.info("held-out set (fresh synthetic images): {} texts in {}", lines, evalSet);
        long count =
                config.maxPairs() > 0
                        ? Math.min(config.maxPairs(), config.syntheticPairs())
                        : config.syntheticPairs();
        return new DemoData("synthetic", new SyntheticImporter(64, count, 7), evalSet, why);
    }
}
