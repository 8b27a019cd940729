package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmojiLearningBenchmarkTest {

    @Test
    void skipsWithAnExplanationWhenTheCorpusIsMissing(@TempDir Path empty) throws Exception {
        BenchResult result = new EmojiLearningBenchmark(empty).run(BenchOptions.quickRun());

        assertThat(result.json()).containsEntry("skipped", true);
        assertThat((String) result.json().get("reason"))
                .contains(empty.toString())
                .contains("emoji-datasource-twitter-16.0.0.tgz")
                .contains("npm pack");
        assertThat(result.toTable()).contains("skipped");
    }

    @Test
    void isAStandardBenchmark() {
        assertThat(Benchmarks.standard().find("emoji-learning")).isPresent();
    }

    @Test
    void theDemoSpecIsTheTrainersDefaultsReplayingTheStream() {
        TrainerConfig defaults = TrainerConfig.defaults();
        EmojiLearningBenchmark.Spec demo = EmojiLearningBenchmark.Spec.demo(Duration.ofMinutes(6));

        assertThat(demo.model()).isEqualTo(defaults.model());
        assertThat(demo.batchSize()).isEqualTo(defaults.batchSize());
        assertThat(demo.optimizer()).isEqualTo(defaults.optimizer());
        assertThat(demo.languages()).hasSize(16);
        assertThat(demo.evalClasses()).isEqualTo(500);
        assertThat(demo.passes()).isGreaterThan(1);
    }

    @Test
    void experimentsOverrideTheDefaultsByKey() {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("patch", "4");
        kv.put("batch", "64");
        kv.put("lr", "1e-3");
        kv.put("schedule", "700");
        kv.put("langs", "3");
        kv.put("pooling", "last");
        kv.put("seconds", "90");

        EmojiLearningBenchmark.Spec spec = EmojiLearningBenchmark.fromArguments(kv);

        assertThat(spec.model().name()).isEqualTo("custom");
        assertThat(spec.model().patchSize()).isEqualTo(4);
        assertThat(spec.model().imageSize()).isEqualTo(32);
        assertThat(spec.model().textPooling()).isEqualTo(ModelConfig.TextPooling.LAST);
        assertThat(spec.batchSize()).isEqualTo(64);
        assertThat(spec.optimizer().learningRate()).isEqualTo(1e-3);
        assertThat(spec.optimizer().scheduleSteps()).isEqualTo(700);
        assertThat(spec.languages()).containsExactly("en", "de", "fr");
        assertThat(spec.budget()).isEqualTo(Duration.ofSeconds(90));
        assertThat(spec.passes()).isEqualTo(1);
        assertThat(spec.label()).contains("patch=4").contains("batch=64");

        assertThat(EmojiLearningBenchmark.fromArguments(Map.of()).model().name())
                .isEqualTo(TrainerConfig.defaults().model().name());
        assertThatThrownBy(() -> EmojiLearningBenchmark.fromArguments(Map.of("patch", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must divide");
    }
}
