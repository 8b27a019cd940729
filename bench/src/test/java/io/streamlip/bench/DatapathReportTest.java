package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamlip.tokenize.TokenizeConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatapathReportTest {
    private static final DatapathSettings SETTINGS =
            new DatapathSettings(
                    600, 64, TokenizeConfig.defaults(), 1, 3, 3, Duration.ofSeconds(1), true, 2, 2);

    private static PipelineFigures figures(double steady, double cpu, long refused) {
        Map<String, Double> split = new LinkedHashMap<>();
        split.put("total", cpu);
        split.put(ThreadCpu.JIT, cpu / 4);
        split.put("idle thread", 0.001);
        return new PipelineFigures(steady, steady / 2, cpu, cpu / 4, refused, split);
    }

    private static DatapathReport.Measurements measurements() {
        Map<Integer, PipelineFigures> pipeline = new LinkedHashMap<>();
        pipeline.put(1, figures(400, 4.0, 3));
        pipeline.put(2, figures(600, 2.5, 0));
        Map<Integer, PipelineFigures> relay = new LinkedHashMap<>();
        relay.put(1, figures(2000, 0.5, 0));
        relay.put(2, figures(2500, 0.4, 0));
        return new DatapathReport.Measurements(
                new PlainJavaRates.Limits(1000, 1500, 2),
                800,
                500,
                400,
                List.of(
                        new CurationCost.Step("caption", "checks", 8.4),
                        new CurationCost.Step("decode", "decoding", 50.25)),
                pipeline,
                relay,
                // The kept streams' work (3.0 and 0.375 ms) is the least of each wiring's three.
                Map.of(1, List.of(3.5, 3.0, 4.5), 2, List.of(1.875)),
                Map.of(1, List.of(0.375, 0.625, 0.5), 2, List.of(0.3)),
                new PlainJavaRates.Limits(1200, 1400, 2));
    }

    @Test
    void rowsGoLimitsThenJobsThenRelayThenLimitsAgain() {
        BenchResult result = DatapathReport.of(SETTINGS, measurements());

        assertThat(result.name()).isEqualTo("datapath: filter + tokenize on a MiniCluster");
        assertThat(result.rows().stream().map(row -> row.get(0)))
                .containsExactly(
                        "decode+resize limit (plain Java, 1 thread)",
                        "decode+resize limit (plain Java, 2 threads)",
                        "curate+build example (plain Java, 1 thread)",
                        "curate+deduplicate+build example (plain Java, 1 thread)",
                        "curate+build example, ImageIO full decodes (plain Java, 1 thread)",
                        "filter+tokenize, parallelism 1",
                        "filter+tokenize, parallelism 2",
                        "Kafka relay (the same 2 exactly-once hops and bytes, no work), parallelism 1",
                        "Kafka relay (the same 2 exactly-once hops and bytes, no work), parallelism 2",
                        "decode+resize limit, 1 thread, again after the jobs",
                        "decode+resize limit, 2 threads, again after the jobs");
        assertThat(result.rows().get(0))
                .containsExactly(
                        "decode+resize limit (plain Java, 1 thread)", 1000.0, "", "", "", "");
        assertThat(result.rows().get(5))
                .containsExactly("filter+tokenize, parallelism 1", 400.0, 200.0, 4.0, 1.0, 3L);
        assertThat(result.toTable())
                .startsWith(
                        "datapath: filter + tokenize on a MiniCluster\nmeasure"
                                + " ".repeat(69)
                                + "  records/s  end to end  JVM CPU ms/record  of which JIT"
                                + "  refused\n");
    }

    @Test
    void jsonKeepsItsKeysInTheirOrder() {
        BenchResult result = DatapathReport.of(SETTINGS, measurements());

        assertThat(result.json().keySet())
                .containsExactly(
                        "benchmark",
                        "cpu_ms_per_record_by_thread_p1",
                        "refused_p1",
                        "parallelism_1_end_to_end_records_per_s",
                        "cpu_ms_per_record_by_thread_p2",
                        "refused_p2",
                        "parallelism_2_end_to_end_records_per_s",
                        "relay_p1_records_per_s",
                        "relay_cpu_ms_per_record_p1",
                        "relay_cpu_ms_per_record_by_thread_p1",
                        "relay_p2_records_per_s",
                        "relay_cpu_ms_per_record_p2",
                        "relay_cpu_ms_per_record_by_thread_p2",
                        "records",
                        "image_size",
                        "example_size",
                        "warmup_batches",
                        "measured_copies",
                        "measured_streams",
                        "plain_cost_us_per_record",
                        "limit_records_per_s",
                        "limit_2_threads_records_per_s",
                        "parallelism_1_records_per_s",
                        "parallelism_2_records_per_s",
                        "fraction_of_limit_p1",
                        "fraction_of_2_thread_limit_p2",
                        "scaling_p2_over_p1",
                        "plain_over_full_decode",
                        "jobs_over_plain_plus_relay",
                        "jobs_over_plain_plus_relay_gross",
                        "plain_with_dedup_records_per_s",
                        "jobs_over_plain_with_dedup_plus_relay",
                        "jobs_work_cpu_ms_per_record_p1",
                        "relay_work_cpu_ms_per_record_p1",
                        "jobs_work_cpu_ms_per_record_p1_by_stream",
                        "relay_work_cpu_ms_per_record_p1_by_stream",
                        "jobs_over_plain_with_dedup_plus_relay_median",
                        "jobs_over_plain_plus_relay_median",
                        "jobs_cpu_ms_per_record_by_category_p1",
                        "relay_cpu_ms_per_record_by_category_p1",
                        "jobs_beyond_idle_by_category_p1",
                        "relay_beyond_idle_by_category_p1",
                        "records_per_s_per_core",
                        "relay_cpu_bound_records_per_s",
                        "relay_cpu_bound_fraction_of_limit");
        assertThat(result.toJson()).contains("\"rows\" : [", "\"notes\" : [");
    }

    @Test
    void setsTheJobsAgainstTheFasterOfEachLimit() {
        Map<String, Object> json = DatapathReport.of(SETTINGS, measurements()).json();

        assertThat(json.get("limit_records_per_s")).isEqualTo(1200.0);
        assertThat(json.get("limit_2_threads_records_per_s")).isEqualTo(1500.0);
        assertThat((double) json.get("fraction_of_limit_p1"))
                .isCloseTo(400 / 1200.0, within(1e-12));
        assertThat((double) json.get("fraction_of_2_thread_limit_p2"))
                .isCloseTo(600 / 1500.0, within(1e-12));
        assertThat((double) json.get("scaling_p2_over_p1")).isCloseTo(1.5, within(1e-12));
        // Plain work 800/s = 1.25 ms a record; the relay 0.5 ms; the jobs 4.0 ms; a quarter of
        // each is the JIT's, left out of the ratio and the rate per core.
        assertThat((double) json.get("plain_over_full_decode")).isCloseTo(2.0, within(1e-12));
        assertThat((double) json.get("jobs_over_plain_plus_relay"))
                .isCloseTo(3.0 / 1.625, within(1e-12));
        assertThat((double) json.get("jobs_over_plain_plus_relay_gross"))
                .isCloseTo(4.0 / 1.75, within(1e-12));
        // With the dedup lookups the plain work is 500/s = 2 ms a record.
        assertThat((double) json.get("jobs_over_plain_with_dedup_plus_relay"))
                .isCloseTo(3.0 / 2.375, within(1e-12));
        assertThat((double) json.get("records_per_s_per_core")).isCloseTo(1000 / 3.0, within(1e-9));
        // The medians of the measured streams: the jobs 3.5 ms, the relay 0.5 ms.
        assertThat((double) json.get("jobs_over_plain_plus_relay_median"))
                .isCloseTo(3.5 / 1.75, within(1e-12));
        assertThat((double) json.get("jobs_over_plain_with_dedup_plus_relay_median"))
                .isCloseTo(3.5 / 2.5, within(1e-12));
        assertThat(json.get("jobs_cpu_ms_per_record_by_category_p1"))
                .isEqualTo(
                        Map.of(
                                "Flink task threads (operators, their (de)serialisation,"
                                        + " exchanges)",
                                0.001,
                                ThreadCpu.JIT,
                                1.0));
        // 2 cores at 0.5 ms of CPU per relayed record.
        assertThat((double) json.get("relay_cpu_bound_records_per_s"))
                .isCloseTo(4000, within(1e-9));
        assertThat((double) json.get("relay_cpu_bound_fraction_of_limit"))
                .isCloseTo(4000 / 1200.0, within(1e-12));
    }

    @Test
    void notesSplitTheCpuAndStateTheMethod() {
        BenchResult result = DatapathReport.of(SETTINGS, measurements());
        String table = result.toTable();

        assertThat(table)
                .contains(
                        "parallelism 1, CPU ms/record by thread group: total 4.00; [native] JIT"
                                + " compiler 1.00\n",
                        "plain classes, CPU us/record by step: caption 8.4, decode 50.3\n",
                        "600 synthetic 64 px PNG pairs -> 32 px RGB examples, each with a caption of"
                                + " its own, near-duplicate cluster cap lifted; 2 CPUs; checkpoints"
                                + " every 1000 ms; 1 warm-up batches, 3 measured;",
                        "fraction of the 1-thread limit (p1) 0.33, of the 2-thread limit (p2)"
                                + " 0.40; p2/p1 1.50\n",
                        "relay: 0.500 ms of CPU per record at p1 (the jobs: 4.000), so transport"
                                + " alone would allow 4000 records/s on 2 CPUs, 3.33 of the 1-thread"
                                + " limit;");
        assertThat(table).doesNotContain("idle thread");
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(DatapathReport.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(DatapathReport.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(DatapathReport.median(List.of(0.7))).isEqualTo(0.7);
    }

    @Test
    void figuresLeaveOutTheSmallOnesAndKeepTheOrder() {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("b", 2.0);
        values.put("a", 0.004);
        values.put("c", -1.25);

        assertThat(DatapathReport.figures(values, "%.2f", "; ", 0.01)).isEqualTo("b 2.00; c -1.25");
        assertThat(DatapathReport.figures(values, "%.1f", ", ", 0))
                .isEqualTo("b 2.0, a 0.0, c -1.3");
    }
}
