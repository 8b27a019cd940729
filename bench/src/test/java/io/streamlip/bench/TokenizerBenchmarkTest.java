package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerBenchmarkTest {

    @Test
    void skipsWithAnExplanationWhenTheCorpusIsMissing(@TempDir Path empty) throws Exception {
        BenchResult result = new TokenizerBenchmark(empty).run(BenchOptions.quickRun());

        assertThat(result.json()).containsEntry("skipped", true);
        assertThat((String) result.json().get("reason"))
                .contains(empty.toString())
                .contains("npm pack");
    }

    @Test
    void isAStandardBenchmark() {
        assertThat(Benchmarks.standard().find("tokenizer")).isPresent();
    }
}
