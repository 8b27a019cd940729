package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.tokenize.render.BitmapFont;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The main command end to end, small: synthetic data, a few seconds of training, then {@code eval}
 * on what it wrote. Real broker, real MiniCluster, real DJL.
 */
class DemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Tag("integration")
    void demoWritesASummaryAndEvalReadsItsCheckpoint(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo");
        Run demo =
                run(
                        "demo",
                        "--source=synthetic",
                        "--minutes=0.4",
                        "--max-pairs=1500",
                        "--import-rate=2000",
                        "--batch-size=32",
                        "--threads=1",
                        // A trained vocabulary here; the byte tokenizer (the default) is what
                        // the train and eval command tests use.
                        "--tokenizer=bpe:400",
                        // The live-model loop has its own test below; here the curation alone.
                        "--no-live-model",
                        "--out=" + out,
                        "--json");
        assertThat(demo.code).as(demo.err).isZero();
        JsonNode printed = JSON.readTree(demo.out);
        JsonNode summary = JSON.readTree(Files.readString(out.resolve("summary.json")));
        assertThat(printed).isEqualTo(summary);

        assertThat(summary.path("source").asText()).isEqualTo("synthetic");
        assertThat(summary.path("scorer").path("enabled").asBoolean()).isFalse();
        // The demo watched its job: it ran without a restart until the demo cancelled it.
        assertThat(summary.path("status").asText()).isEqualTo("ok");
        assertThat(summary.has("failure")).isFalse();
        JsonNode job = summary.path("jobs").get(0);
        assertThat(job.path("state").asText()).isEqualTo("CANCELED");
        assertThat(job.path("restarts").asLong()).isZero();
        assertThat(job.path("failure").isNull()).isTrue();
        assertThat(summary.path("raw").asLong()).isEqualTo(1500);
        assertThat(summary.path("import_rate").asDouble()).isEqualTo(2000.0);
        // Synthetic pairs are all valid, but the same shape and colour come back drawn a little
        // differently with the same caption: the near-duplicate stages refuse those, and
        // decontamination (on by default) the near copies of the held-out images; nothing else.
        long curated = summary.path("curated").asLong();
        assertThat(curated).isPositive();
        assertThat(curated + summary.path("rejected_total").asLong()).isEqualTo(1500);
        assertThat(summary.path("examples").asLong()).isEqualTo(curated);
        assertThat(summary.path("rejected").properties())
                .allSatisfy(
                        e ->
                                assertThat(e.getKey())
                                        .isIn(
                                                "near_duplicate",
                                                "image_cluster_cap",
                                                "eval_contamination"));
        assertThat(summary.path("decontamination").path("refused").asLong())
                .isEqualTo(summary.path("rejected").path("eval_contamination").asLong(0));
        assertThat(summary.path("steps").asLong()).isPositive();
        assertThat(summary.path("trained_examples").asLong())
                .isEqualTo(summary.path("steps").asLong() * 32);
        assertThat(summary.path("loss_last").asDouble())
                .isLessThan(summary.path("loss_first").asDouble());
        Path checkpoint = Path.of(summary.path("checkpoint").asText());
        assertThat(checkpoint.resolve("state.json")).exists();
        // The demo trained its tokenizer from the imported captions, and the checkpoint carries it.
        JsonNode tokenizer = summary.path("tokenizer");
        assertThat(tokenizer.path("version").asText()).startsWith("bpe");
        assertThat(tokenizer.path("captions_read").asLong()).isEqualTo(1500);
        assertThat(checkpoint.resolve("tokenizer.json"))
                .hasSameBinaryContentAs(out.resolve("tokenizer.json"));
        JsonNode perCaption = tokenizer.path("tokens_per_caption").path("all");
        assertThat(perCaption.path("tokens").asDouble())
                .isPositive()
                .isLessThan(perCaption.path("bytes").asDouble());
        JsonNode eval = summary.path("eval");
        assertThat(eval.path("languages").size()).isEqualTo(6);
        assertThat(eval.path("mean").path("n").asLong()).isPositive();
        assertThat(DemoCommand.table(summary, out.resolve("summary.json")))
                .contains("raw pairs          1500")
                .containsPattern("(?m)^  mean +\\d+ +\\d\\.\\d{3}")
                .containsPattern("(?m)^  chance +0\\.\\d{3}");

        Run evalRun =
                run(
                        "eval",
                        "--checkpoint=" + checkpoint,
                        "--set=" + summary.path("eval_set").asText(),
                        "--json");
        assertThat(evalRun.code).as(evalRun.err).isZero();
        JsonNode evalJson = JSON.readTree(evalRun.out);
        // The summary's evaluation is the trainer's, made in memory as it stopped: the checkpoint
        // on disk must give the same figures.
        assertThat(evalJson.path("mean")).isEqualTo(eval.path("mean"));
        for (String key :
                new String[] {
                    "i2t_r1",
                    "i2t_r5",
                    "i2t_r10",
                    "t2i_r1",
                    "t2i_r5",
                    "t2i_r10",
                    "zeroshot_acc",
                    "n"
                }) {
            assertThat(evalJson.path("languages").path("en").has(key)).as(key).isTrue();
        }
    }

    @Test
    @Tag("integration")
    void theFilterScoresTheStreamWithTheTrainersNewestModel(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo");
        // Slow enough that pairs still arrive after the first checkpoints (every 10 steps): the
        // import outlasts the run, which stops it.
        Run demo =
                run(
                        "demo",
                        "--source=synthetic",
                        "--minutes=0.5",
                        "--max-pairs=1500",
                        "--import-rate=20",
                        "--batch-size=32",
                        "--threads=1",
                        "--checkpoint-every=10",
                        "--crossmodal-warmup=5",
                        "--crossmodal-window=50",
                        "--noise=unrelated_caption=0.2",
                        "--out=" + out,
                        "--json");
        assertThat(demo.code).as(demo.err).isZero();
        JsonNode summary = JSON.readTree(Files.readString(out.resolve("summary.json")));
        assertThat(summary.path("status").asText()).isEqualTo("ok");
        JsonNode scorer = summary.path("scorer");
        // The judged pairs, told apart by the noise kind the import injected: they add up.
        JsonNode byKind = scorer.path("by_noise_kind");
        assertThat(byKind.has("source")).isTrue();
        long[] sums = new long[2];
        byKind.forEach(
                k -> {
                    sums[0] += k.path("scored").asLong();
                    sums[1] += k.path("refused").asLong();
                });
        assertThat(sums[0]).isEqualTo(scorer.path("scored").asLong());
        assertThat(sums[1]).isEqualTo(scorer.path("refused").asLong());
        assertThat(byKind.fieldNames()).toIterable().isSubsetOf("source", "unrelated_caption");
        assertThat(scorer.path("enabled").asBoolean()).isTrue();
        assertThat(scorer.path("model_updates_seen").asLong()).isGreaterThanOrEqualTo(1);
        long scored = scorer.path("scored").asLong();
        assertThat(scored).isPositive();
        // Every curated pair is either scored (with its model version) or passed unscored.
        assertThat(scored + scorer.path("unscored").asLong())
                .isEqualTo(summary.path("curated").asLong());
        // Every low_crossmodal_score reject carries the version of the model that refused it.
        assertThat(scorer.path("refused").asLong())
                .isEqualTo(summary.path("rejected").path("low_crossmodal_score").asLong(0));
        assertThat(scorer.path("score_errors").asLong()).isZero();
        assertThat(scorer.path("model_versions").size()).isPositive();
        scorer.path("model_versions")
                .forEach(v -> assertThat(v.asText()).matches("siglip/step-\\d+"));
        assertThat(scorer.path("model_versions").size())
                .isLessThanOrEqualTo((int) scorer.path("model_updates_seen").asLong());
        assertThat(scorer.path("first_scored_after_training_s").asDouble())
                .isPositive()
                .isLessThan(60);
        assertThat(DemoCommand.table(summary, out.resolve("summary.json")))
                .containsPattern("live model +\\d+ model updates, " + scored + " scored");
    }

    @Test
    void maxStepsReachesTheConfigAndIsBounded() {
        assertThat(demoConfig().maxSteps()).isZero();
        assertThat(demoConfig("--max-steps=700").maxSteps()).isEqualTo(700);
        Run negative = run("demo", "--max-steps=-1");
        assertThat(negative.code).isNotZero();
        assertThat(negative.err).contains("maxSteps must be in [0, 100000000], got -1");
        Run huge = run("demo", "--max-steps=100000001");
        assertThat(huge.code).isNotZero();
        assertThat(huge.err).contains("maxSteps must be in");
    }

    @Test
    void liveModelIsOnByDefaultAndTheCrossModalOptionsReachTheConfig() {
        DemoConfig defaults = demoConfig();
        assertThat(defaults.filter().crossModal().enabled()).isTrue();
        assertThat(defaults.trainer().checkpointEvery()).isEqualTo(DemoConfig.CHECKPOINT_EVERY);
        DemoConfig off =
                demoConfig(
                        "--no-live-model",
                        "--crossmodal-top-fraction=0.8",
                        "--crossmodal-thresholds=en=0.2,ja=0.1",
                        "--checkpoint-every=7",
                        "--checkpoint-interval-s=0");
        assertThat(off.filter().crossModal().enabled()).isFalse();
        assertThat(off.filter().crossModal().topFraction()).isEqualTo(0.8);
        assertThat(off.filter().crossModal().thresholdOf("ja")).isEqualTo(0.1);
        assertThat(off.trainer().checkpointEvery()).isEqualTo(7);
        assertThat(off.trainer().checkpointInterval()).isNull();
        assertThat(defaults.trainer().checkpointInterval())
                .isEqualTo(java.time.Duration.ofSeconds(DemoConfig.CHECKPOINT_INTERVAL_S));
        Run bad = run("demo", "--crossmodal-top-fraction=1.5");
        assertThat(bad.code).isNotZero();
        assertThat(bad.err).contains("--crossmodal-*: topFraction must be in [0, 1]");
    }

    @Test
    void renderTextAndTheShardsReachTheDemoConfig(@TempDir Path dir) throws Exception {
        Path font = Files.writeString(dir.resolve("font.hex"), "0061:" + "3C".repeat(16) + "\n");
        DemoConfig defaults = demoConfig();
        assertThat(defaults.render()).isNull();
        assertThat(defaults.curatedSinks().enabled()).isFalse();
        assertThat(defaults.exampleSinks().enabled()).isFalse();

        Path out = dir.resolve("out");
        DemoConfig on =
                demoConfig(
                        "--out=" + out,
                        "--render-text",
                        "--render-font=" + font,
                        "--webdataset",
                        "--avro",
                        "--shard-records=50");
        assertThat(on.render().fontFile()).isEqualTo(font.toString());
        assertThat(Demo.tokenizeConfig(on, "bytes").render()).isEqualTo(on.render());
        Path shards = out.toAbsolutePath().resolve("shards");
        assertThat(on.curatedSinks())
                .isEqualTo(on.exampleSinks())
                .extracting(
                        s -> s.webDatasetFolder(), s -> s.avroFolder(), s -> s.recordsPerShard())
                .containsExactly(
                        shards.resolve("webdataset").toString(),
                        shards.resolve("avro").toString(),
                        50);

        // A font found in the data folder, as BitmapFont.locate looks for it.
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("unifont"));
        Files.copy(font, data.resolve("unifont/unifont.hex"));
        if (BitmapFont.locate(null) == null) {
            assertThat(demoConfig("--data=" + data, "--render-text").render().fontFile())
                    .isEqualTo(data.resolve("unifont/unifont.hex").toString());
        }

        Run missing = run("demo", "--render-text", "--render-font=" + dir.resolve("none.hex"));
        assertThat(missing.code).isNotZero();
        assertThat(missing.err).contains("--render-font: no font file");
        Run alone = run("demo", "--render-font=" + font);
        assertThat(alone.code).isNotZero();
        assertThat(alone.err).contains("--render-font goes with --render-text");
        Run size = run("demo", "--webdataset", "--shard-records=0");
        assertThat(size.code).isNotZero();
        assertThat(size.err).contains("recordsPerShard must be positive");
    }

    @Test
    void theSummaryCountsCompleteAndUnfinishedShards(@TempDir Path dir) throws Exception {
        Path wds = Files.createDirectories(dir.resolve("webdataset"));
        Files.write(wds.resolve("curated-000000.tar"), new byte[0]);
        Files.write(wds.resolve("curated-000001.tar"), new byte[0]);
        Files.write(wds.resolve(".curated-000002.tar.inprogress"), new byte[0]);
        Files.write(wds.resolve("examples-000000.tar"), new byte[0]);
        io.streamlip.sinks.FileSinkConfig sinks =
                io.streamlip.sinks.FileSinkConfig.builder()
                        .webDatasetFolder(wds.toString())
                        .recordsPerShard(10)
                        .build();
        JsonNode s = DemoShards.summary(sinks, sinks);
        assertThat(s.path("records_per_shard").asInt()).isEqualTo(10);
        assertThat(s.path("webdataset").path("curated").path("shards").asLong()).isEqualTo(2);
        assertThat(s.path("webdataset").path("curated").path("unfinished").asLong()).isEqualTo(1);
        assertThat(s.path("webdataset").path("examples").path("shards").asLong()).isEqualTo(1);
        assertThat(s.path("webdataset").path("examples").path("folder").asText())
                .isEqualTo(wds.toString());
        assertThat(s.has("avro")).isFalse();
    }

    @Test
    @Tag("integration")
    void byDefaultTheImportFollowsTheTrainerAndTheHeldOutSetIsKeptOut(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("demo");
        // The default pace: more pairs than the trainer can take in the run, so the pace, not
        // the corpus, ends what is sent.
        Run demo =
                run(
                        "demo",
                        "--source=synthetic",
                        "--minutes=0.6",
                        "--max-pairs=25000",
                        "--batch-size=32",
                        "--threads=1",
                        "--no-live-model",
                        "--out=" + out,
                        "--json");
        assertThat(demo.code).as(demo.err).isZero();
        JsonNode summary = JSON.readTree(Files.readString(out.resolve("summary.json")));
        assertThat(summary.path("status").asText()).isEqualTo("ok");
        assertThat(summary.path("import_rate").asText()).isEqualTo("auto");
        JsonNode pace = summary.path("import_pace");
        assertThat(pace.path("mode").asText()).isEqualTo("adaptive");
        assertThat(pace.path("lead_batches").asInt()).isEqualTo(AdaptivePace.LEAD_BATCHES);
        assertThat(pace.path("lead_examples").asDouble())
                .isGreaterThanOrEqualTo(AdaptivePace.LEAD_BATCHES * 32);
        assertThat(pace.path("trainer_examples_per_second").asDouble()).isPositive();
        assertThat(pace.path("trainer_starved_share").asDouble()).isBetween(0.0, 1.0);
        // Held back to the trainer: far from the whole corpus, and what it sent was curated
        // (no backlog before the filter beyond the pace's bound).
        long sent = pace.path("pairs_sent").asLong();
        assertThat(sent).isPositive().isLessThan(25_000);
        assertThat(summary.path("raw").asLong()).isEqualTo(sent);
        // Freshness once the pace holds, beside the trainer's own figures: seconds, not the
        // minutes of a backlog.
        JsonNode steady = summary.path("freshness").path("after_warmup");
        assertThat(steady.path("examples").asLong()).isPositive();
        assertThat(steady.path("warmup_s").asDouble()).isEqualTo(9.0);
        assertThat(steady.path("p50_ms").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(steady.path("p95_ms").asDouble())
                .isLessThan(30_000);
        assertThat(summary.path("freshness_after_warmup_p50_ms").asDouble())
                .isEqualTo(steady.path("p50_ms").asDouble());
        assertThat(summary.has("freshness_p50_ms")).isTrue();
        // Decontamination against the demo's own held-out set.
        JsonNode decontamination = summary.path("decontamination");
        assertThat(decontamination.path("enabled").asBoolean()).isTrue();
        assertThat(decontamination.path("eval_sets").get(0).asText())
                .isEqualTo(out.resolve("eval-heldout").toAbsolutePath().toString());
        assertThat(decontamination.path("refused").asLong())
                .isEqualTo(summary.path("rejected").path("eval_contamination").asLong(0));
        assertThat(DemoCommand.table(summary, out.resolve("summary.json")))
                .containsPattern("import pace +auto: \\d+ pairs/s sent")
                .containsPattern("steady freshness +p50 \\d+\\.\\d s")
                .containsPattern("decontamination +\\d+ pairs refused");
    }

    @Test
    void theImportIsPacedByTheTrainerAndDecontaminatedByDefault(@TempDir Path dir) {
        DemoConfig defaults = demoConfig();
        assertThat(defaults.importRate()).isEqualTo(ImportRate.AUTO);
        assertThat(defaults.decontaminate()).isTrue();
        DemoConfig fixed = demoConfig("--import-rate=150", "--no-decontaminate");
        assertThat(fixed.importRate()).isEqualTo(ImportRate.fixed(150));
        assertThat(fixed.importRate().mode()).isEqualTo("fixed");
        assertThat(fixed.decontaminate()).isFalse();
        assertThat(demoConfig("--import-rate=0").importRate()).isEqualTo(ImportRate.UNTHROTTLED);
        assertThat(demoConfig("--import-rate=Auto").importRate()).isEqualTo(ImportRate.AUTO);
        assertThat(ImportRate.parse(ImportRate.fixed(12.5).toString()))
                .isEqualTo(ImportRate.fixed(12.5));
        Run bad = run("demo", "--import-rate=fast");
        assertThat(bad.code).isNotZero();
        assertThat(bad.err).contains("--import-rate: import rate must be 'auto' or a number");
        // The demo's held-out set joins the filter's evaluation sets, unless switched off.
        Path heldOut = dir.resolve("eval-heldout");
        assertThat(Demo.filterConfig(defaults, heldOut).nearDuplicates().evalSets())
                .containsExactly(heldOut.toAbsolutePath().toString());
        assertThat(Demo.filterConfig(fixed, heldOut)).isEqualTo(fixed.filter());
        assertThat(Demo.filterConfig(defaults, null)).isEqualTo(defaults.filter());
    }

    @Test
    void noiseIsOffByDefaultAndTheOptionInjectsIntoTheImportedStream(@TempDir Path dir) {
        assertThat(demoConfig().noise().injects()).isFalse();
        DemoConfig noisy =
                demoConfig(
                        "--noise=unrelated_caption=0.5",
                        "--source=synthetic",
                        "--out=" + dir,
                        "--max-pairs=100");
        assertThat(noisy.noise().rates())
                .isEqualTo(
                        java.util.Map.of(
                                io.streamlip.ingest.noise.NoiseKind.UNRELATED_CAPTION, 0.5));
        DemoData data = DemoData.prepare(noisy, dir);
        assertThat(data.importer()).isInstanceOf(io.streamlip.ingest.noise.NoisyImporter.class);
        var importer = (io.streamlip.ingest.noise.NoisyImporter) data.importer();
        long pairs = 0;
        for (var it = importer.pairs(); it.hasNext(); it.next()) {
            pairs++;
        }
        long unrelated = importer.emitted().get("unrelated_caption");
        assertThat(unrelated).isBetween(25L, 75L).isEqualTo(importer.injected());
        assertThat(pairs).isEqualTo(100 + unrelated);
        assertThat(data.note()).contains("noise injected");
        Run bad = run("demo", "--noise=unrelated=0.1");
        assertThat(bad.code).isNotZero();
        assertThat(bad.err).contains("unknown noise kind 'unrelated'");
    }

    private static DemoConfig demoConfig(String... args) {
        return TrainerOptionsTest.demo(args);
    }

    @Test
    void evalExplainsAMissingFolder(@TempDir Path dir) {
        Run run = run("eval", "--checkpoint=" + dir.resolve("nope"), "--set=" + dir);
        assertThat(run.code).isNotZero();
        assertThat(run.err).contains("--checkpoint").contains("is not a folder");
    }

    @Test
    void demoRefusesAnUnknownTokenizer(@TempDir Path dir) {
        Run run = run("demo", "--tokenizer=" + dir.resolve("none.json"));
        assertThat(run.code).isNotZero();
        assertThat(run.err).contains("--tokenizer").contains("none.json").contains("'bytes'");
        Run vocab = run("demo", "--tokenizer=bpe:lots");
        assertThat(vocab.code).isNotZero();
        assertThat(vocab.err).contains("bpe:VOCAB needs a number");
    }

    @Test
    void demoRefusesANegativeImportRate() {
        Run run = run("demo", "--import-rate=-5");
        assertThat(run.code).isNotZero();
        assertThat(run.err).contains("importRate must be 0 (unthrottled) or a positive rate");
    }

    @Test
    void theImportPaceHoldsTheAverageRate() {
        Demo.ImportPace pace = new Demo.ImportPace(10, 0);
        // The 5th pair is due half a second after the start, whenever the sends ran.
        assertThat(pace.waitNanos(5, 0)).isEqualTo(500_000_000L);
        assertThat(pace.waitNanos(5, 200_000_000L)).isEqualTo(300_000_000L);
        assertThat(pace.waitNanos(5, 700_000_000L)).isZero();
        assertThat(new Demo.ImportPace(0, 0).waitNanos(1_000_000, 0)).isZero();
    }

    @Test
    void demoRefusesAnUnknownSource() {
        Run run = run("demo", "--source=webcam");
        assertThat(run.code).isNotZero();
        assertThat(run.err).contains("--source must be auto, emoji or synthetic");
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cli = Streamlip.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
