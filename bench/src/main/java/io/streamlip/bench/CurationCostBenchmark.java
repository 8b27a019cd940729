package io.streamlip.bench;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.TokenizeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code streamlip bench curation-cost}: microseconds of CPU per record of each step of the plain
 * curation and example-building classes ({@link CurationCost}), on the datapath benchmark's
 * synthetic 64 px pairs and, when the emoji data is there, on emoji x CLDR pairs (64 px RGBA PNGs,
 * the demo's 16 languages): which step a faster filter would have to cut.
 */
public final class CurationCostBenchmark implements Benchmark {
    private final Path dataDir;

    /** Reads the emoji data where {@link CurationBenchmark} does. */
    public CurationCostBenchmark() {
        this(
                Path.of(
                        System.getProperty(
                                "streamlip.data",
                                System.getenv().getOrDefault("STREAMLIP_DATA", "data"))));
    }

    public CurationCostBenchmark(Path dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public String name() {
        return "curation-cost";
    }

    @Override
    public String description() {
        return "CPU microseconds per record of each curation and example-building step";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        int records = options.limit() > 0 ? (int) options.limit() : options.quick() ? 300 : 3000;
        CurationCost cost = options.quick() ? new CurationCost(1) : CurationCost.defaults();
        FilterConfig filter = FilterConfig.defaults();
        TokenizeConfig tokenize = TokenizeConfig.defaults();

        Map<String, List<CurationCost.Step>> bySource = new LinkedHashMap<>();
        List<RawPair> synthetic = new ArrayList<>();
        new SyntheticPairs(64).pairs(records, 1).forEachRemaining(synthetic::add);
        bySource.put("synthetic", cost.measure(synthetic, filter, tokenize));
        EmojiData data = EmojiData.at(dataDir);
        String emojiNote;
        if (data.missing().isEmpty()) {
            List<RawPair> emoji = new ArrayList<>();
            EmojiCorpus.open(
                            data,
                            EmojiCorpus.Config.builder()
                                    .locales(EmojiLearningBenchmark.DEMO_LANGUAGES)
                                    .build())
                    .limit(records)
                    .pairs()
                    .forEachRemaining(emoji::add);
            bySource.put("emoji", cost.measure(emoji, filter, tokenize));
            emojiNote = "emoji x CLDR from " + data.folder();
        } else {
            emojiNote = "emoji data missing in " + data.folder() + ": " + data.missing();
        }

        List<String> columns = new ArrayList<>(List.of("step", "what"));
        bySource.keySet().forEach(source -> columns.add(source + " us/record"));
        BenchResult result = new BenchResult("curation-cost: CPU per record by step", columns);
        List<CurationCost.Step> first = bySource.get("synthetic");
        for (int i = 0; i < first.size(); i++) {
            List<Object> row = new ArrayList<>(List.of(first.get(i).name(), first.get(i).what()));
            for (List<CurationCost.Step> steps : bySource.values()) {
                row.add(round(steps.get(i).microsPerRecord()));
            }
            result.row(row.toArray());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        bySource.forEach((source, steps) -> json.put(source, CurationCost.asMap(steps)));
        result.put("records", records).put("us_per_record", json);
        result.note(
                String.format(
                        Locale.ROOT,
                        "%d pairs per source (synthetic 64 px PNG; %s), CPU time of 1 thread, best of"
                                + " %d passes; totals overlap the steps; the job curates without"
                                + " the evaluation sets (their own stage)",
                        records,
                        emojiNote,
                        cost.passes()));
        return result;
    }

    private static double round(double micros) {
        return Math.round(micros * 10) / 10.0;
    }
}
