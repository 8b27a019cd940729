package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterArguments;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.filter.fetch.FetchConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The curation thresholds ({@link FilterOptions}) on {@code demo} and {@code submit}. */
class FilterOptionsTest {

    @Test
    void everyThresholdReachesTheDemosFilter() {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo)
                .parseArgs(
                        "--min-image-side=32",
                        "--max-aspect-ratio=4",
                        "--max-caption-chars=300",
                        "--boilerplate-filter=false",
                        "--dedup-retention=2d",
                        "--language-id=off",
                        "--near-duplicate-distance=8",
                        "--eval-sets=/e1,/e2",
                        "--blocklist-topic=false",
                        "--blocklist-max-entries=300000");
        FilterConfig filter = demo.demoConfig().filter();
        assertThat(filter.minImageSide()).isEqualTo(32);
        assertThat(filter.maxAspectRatio()).isEqualTo(4.0);
        assertThat(filter.maxCaptionChars()).isEqualTo(300);
        assertThat(filter.text().boilerplate()).isFalse();
        assertThat(filter.dedupRetention()).isEqualTo(Duration.ofDays(2));
        assertThat(filter.language().enabled()).isFalse();
        assertThat(filter.nearDuplicates().maxDistance()).isEqualTo(8);
        assertThat(filter.nearDuplicates().evalSets()).containsExactly("/e1", "/e2");
        assertThat(filter.blocklist().followTopic()).isFalse();
        assertThat(filter.blocklist().maxEntries()).isEqualTo(300_000);
    }

    @Test
    void aBadThresholdIsRefusedByNameWhenParsed() {
        DemoCommandTest.Run number = DemoCommandTest.run("demo", "--min-image-side=big");
        assertThat(number.code()).isNotZero();
        assertThat(number.err()).contains("--min-image-side takes a number, got 'big'");
        DemoCommandTest.Run ratio = DemoCommandTest.run("demo", "--max-aspect-ratio=0.5");
        assertThat(ratio.code()).isNotZero();
        assertThat(ratio.err()).contains("maxAspectRatio must be at least 1");
        DemoCommandTest.Run bool = DemoCommandTest.run("demo", "--language-id=maybe");
        assertThat(bool.code()).isNotZero();
        assertThat(bool.err()).contains("--language-id").contains("true or false");
    }

    @Test
    void eachOptionsHelpStatesTheDefaultTheFilterHas() {
        Map<String, String> defaults = FilterArguments.values(FilterConfig.defaults());
        CommandLine demo = new CommandLine(new DemoCommand());
        for (String name : FilterArguments.NAMES) {
            OptionSpec option = demo.getCommandSpec().findOption("--" + name);
            assertThat(option).as(name).isNotNull();
            String help = String.join(" ", option.description());
            String value = defaults.get(name);
            if (value.isEmpty() || value.equals("null") || value.equals("PT0S")) {
                continue; // no default to state: none, or the lifetime
            }
            assertThat(help).as(name).contains("(default: " + value);
        }
    }

    @Test
    void submitPassesEveryThresholdToTheFilterJobWhichReadsTheSame() {
        SubmitCommand submit = new SubmitCommand();
        new CommandLine(submit)
                .parseArgs(
                        "--bootstrap=k:9092",
                        "--jar=x.jar",
                        "--checkpoint-dir=/cp",
                        "--min-caption-chars=5",
                        "--eval-sets=/evals/a",
                        "--image-blocklist=/lists/optout.txt");
        List<String> args = submit.arguments("filter");
        assertThat(args)
                .containsSubsequence("--min-caption-chars", "5")
                .containsSubsequence("--eval-sets", "/evals/a")
                .containsSubsequence("--image-blocklist", "/lists/optout.txt");
        Map<String, String> given = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.size(); i++) {
            String name = args.get(i).replaceFirst("^--", "");
            if (FilterArguments.NAMES.contains(name)) {
                given.put(name, args.get(i + 1));
            }
        }
        FilterConfig job = FilterArguments.apply(given, FilterConfig.defaults());
        assertThat(job.minCaptionChars()).isEqualTo(5);
        assertThat(job.nearDuplicates().evalSets()).containsExactly("/evals/a");
        assertThat(job.blocklist().imageHashesFile()).isEqualTo("/lists/optout.txt");
        assertThat(submit.arguments("tokenize")).doesNotContain("--min-caption-chars");
    }

    @Test
    void theFetchOptionsReachTheDemoAndTheSubmittedFilterJob() {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo)
                .parseArgs(
                        "--fetch-timeout=10s",
                        "--fetch-allow-private=127.0.0.0/8",
                        "--fetch-cross-host=refuse");
        FetchConfig fetch = demo.demoConfig().filter().fetch();
        assertThat(fetch.totalTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(fetch.crossHost()).isEqualTo(FetchConfig.CrossHost.REFUSE);
        assertThat(fetch.allowedNetworks()).containsExactly("127.0.0.0/8");

        SubmitCommand submit = new SubmitCommand();
        new CommandLine(submit)
                .parseArgs(
                        "--bootstrap=k:9092",
                        "--jar=x.jar",
                        "--checkpoint-dir=/cp",
                        "--fetch-per-host=2",
                        "--fetch-cross-host=refuse",
                        "--fetch-user-agent=mybot/1.0");
        assertThat(submit.arguments("filter"))
                .containsSubsequence("--fetch-per-host", "2")
                .containsSubsequence("--fetch-cross-host", "refuse")
                .containsSubsequence("--fetch-user-agent", "mybot/1.0");
        assertThat(submit.arguments("tokenize")).doesNotContain("--fetch-per-host");
        DemoCommandTest.Run bad = DemoCommandTest.run("demo", "--fetch-max-bytes=lots");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("--fetch-max-bytes takes a number, got 'lots'");
    }

    @Test
    void theDemoCapsLanguagesOverAWindow() {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo)
                .parseArgs("--language-caps=en=500,de=200", "--language-cap-window=10m");
        LanguageConfig language = demo.demoConfig().filter().language();
        assertThat(language.caps()).containsOnly(Map.entry("en", 500L), Map.entry("de", 200L));
        assertThat(language.capWindow()).isEqualTo(Duration.ofMinutes(10));

        DemoCommand plain = new DemoCommand();
        new CommandLine(plain).parseArgs();
        assertThat(plain.demoConfig().filter()).isEqualTo(DemoConfig.defaults().filter());
        assertThat(plain.demoConfig().filter().language().capWindow()).isZero();
    }

    @Test
    void aBadCapOrWindowIsRefusedByName() {
        DemoCommandTest.Run caps = DemoCommandTest.run("demo", "--language-caps=en");
        assertThat(caps.code()).isNotZero();
        assertThat(caps.err()).contains("--language-caps").contains("LANG=N, not 'en'");
        DemoCommandTest.Run window = DemoCommandTest.run("demo", "--language-cap-window=5ms");
        assertThat(window.code()).isNotZero();
        assertThat(window.err()).contains("--language-cap-window").contains("not '5ms'");
    }

    @Test
    void submitPassesTheCapsToTheFilterJobOnly() {
        SubmitCommand submit = new SubmitCommand();
        new CommandLine(submit)
                .parseArgs(
                        "--bootstrap=k:9092",
                        "--jar=x.jar",
                        "--checkpoint-dir=/cp",
                        "--language-caps=en=5000",
                        "--language-cap-window=PT1H");
        assertThat(submit.arguments("filter"))
                .containsSubsequence("--language-caps", "en=5000")
                .containsSubsequence("--language-cap-window", "PT1H");
        assertThat(submit.arguments("tokenize"))
                .doesNotContain("--language-caps", "--language-cap-window");
        SubmitCommand plain = new SubmitCommand();
        new CommandLine(plain)
                .parseArgs("--bootstrap=k:9092", "--jar=x.jar", "--checkpoint-dir=/cp");
        assertThat(plain.arguments("filter")).doesNotContain("--language-caps");
    }
}
