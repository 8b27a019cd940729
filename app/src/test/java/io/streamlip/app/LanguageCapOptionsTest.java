package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.LanguageConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --language-caps} and {@code --language-cap-window} on {@code demo} and {@code submit}. */
class LanguageCapOptionsTest {

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
