package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.bench.BenchOptions;
import io.streamlip.bench.BenchResult;
import io.streamlip.bench.Benchmark;
import io.streamlip.bench.Benchmarks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

    /** A benchmark that measures nothing, to test the command's plumbing. */
    static final class Fixed implements Benchmark {
        @Override
        public String name() {
            return "fixed";
        }

        @Override
        public String description() {
            return "returns what it is given";
        }

        @Override
        public BenchResult run(BenchOptions options) {
            return new BenchResult("fixed", List.of("what", "value"))
                    .row("quick", options.quick() ? 1.0 : 0.0)
                    .put("ratio", 0.5)
                    .put("live_loop", options.liveLoop().toString());
        }
    }

    private static String[] run(String... args) {
        CommandLine cli = new CommandLine(new BenchCommand(new Benchmarks(List.of(new Fixed()))));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void listsPrintsTablesAndJson() throws Exception {
        assertThat(run()[1]).contains("fixed").contains("returns what it is given");
        assertThat(run("fixed")[1]).contains("what").contains("quick");
        var json = new ObjectMapper().readTree(run("fixed", "--json", "--quick")[1]);
        assertThat(json.path("benchmark").asText()).isEqualTo("fixed");
        assertThat(json.path("ratio").asDouble()).isEqualTo(0.5);
        assertThat(json.path("rows").get(0).path("value").asDouble()).isEqualTo(1.0);
    }

    @Test
    void unknownBenchmarkIsAClearError() {
        String[] r = run("nope");
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[2]).contains("unknown benchmark 'nope'").contains("fixed");
    }

    @Test
    void benchCurationRefusesWithoutItsDataInsteadOfFallingBack(@TempDir Path empty) {
        // The settings a user gives as STREAMLIP_DATA / STREAMLIP_NPM, as system properties here.
        String data = System.setProperty("streamlip.data", empty.toString());
        String npm = System.setProperty("streamlip.npm", "none");
        try {
            DemoCommandTest.Run run = DemoCommandTest.run("bench", "curation", "--quick", "--json");
            assertThat(run.code()).as(run.out()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err().strip())
                    .startsWith("streamlip: bench curation needs the emoji x CLDR corpus in ")
                    .contains("npm pack emoji-datasource-google@16.0.0")
                    .doesNotContain("\n");
        } finally {
            restore("streamlip.data", data);
            restore("streamlip.npm", npm);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void theStandardSetHasTheDocumentedBenchmarks() {
        assertThat(Benchmarks.standard().all())
                .extracting(Benchmark::name)
                .contains("datapath", "trainer", "live-loop");
    }

    @Test
    void theLiveLoopOptionsReachItsSettingsAndBadOnesAreRefused() throws Exception {
        var json =
                new ObjectMapper()
                        .readTree(
                                run(
                                        "fixed",
                                        "--json",
                                        "--runs=5",
                                        "--minutes=2.5",
                                        "--noise=unrelated_caption=0.2",
                                        "--equal-steps",
                                        "--demo-arg=--max-pairs=20000",
                                        "--demo-arg= --threads=2",
                                        "--out=/tmp/ll",
                                        "--streamlip=/opt/streamlip")[1]);
        assertThat(json.path("live_loop").asText())
                .contains("runs=5")
                .contains("minutes=2.5")
                .contains("noise=unrelated_caption=0.2")
                .contains("equalSteps=true")
                .contains("demoArgs=[--max-pairs=20000, --threads=2]")
                .contains("out=/tmp/ll")
                .contains("streamlip=/opt/streamlip");
        // --runs 0 is each benchmark's default (families and live-loop share the option).
        String[] many = run("fixed", "--runs=101");
        assertThat(many[0]).isNotEqualTo("0");
        assertThat(many[2]).contains("live-loop runs must be in [1, 100], got 101");
        String[] own = run("fixed", "--demo-arg=--no-live-model");
        assertThat(own[0]).isNotEqualTo("0");
        assertThat(own[2]).contains("demo argument --no-live-model is the benchmark's to set");
    }
}
