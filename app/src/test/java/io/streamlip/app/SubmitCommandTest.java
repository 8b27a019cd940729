package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.streamlip.broker.KafkaBroker;
import io.streamlip.filter.score.CrossModalArguments;
import io.streamlip.filter.score.CrossModalConfig;
import io.streamlip.platform.flink.JobArguments;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamlip submit}'s REST calls against a stand-in for Flink's REST API (the real cluster
 * is in the deploy module's ClusterIT).
 */
class SubmitCommandTest {
    static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\""
                    + " password=\"hunter2\";";
    HttpServer server;
    final Map<String, String> bodies = new ConcurrentHashMap<>();
    final Map<String, Integer> polls = new ConcurrentHashMap<>();

    @BeforeEach
    void startFakeFlink() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/jars/upload",
                ex -> {
                    bodies.put(
                            "upload",
                            ex.getRequestHeaders().getFirst("Content-Type")
                                    + "\n"
                                    + new String(
                                            ex.getRequestBody().readAllBytes(),
                                            StandardCharsets.ISO_8859_1));
                    reply(
                            ex,
                            200,
                            "{\"filename\":\"/tmp/flink-web/abc_jobs.jar\",\"status\":\"success\"}");
                });
        server.createContext(
                "/jars/abc_jobs.jar/run",
                ex -> {
                    String body =
                            new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    bodies.put("run" + bodies.size(), body);
                    reply(ex, 200, "{\"jobid\":\"job" + bodies.size() + "\"}");
                });
        server.createContext(
                "/jars/missing/run", ex -> reply(ex, 400, "{\"errors\":[\"jar not found\"]}"));
        // Stop with a savepoint, as Flink answers it: two running pipeline jobs and one other; the
        // first poll of a trigger is IN_PROGRESS, the next COMPLETED (tokenize's failed).
        server.createContext(
                "/jobs/overview",
                ex ->
                        reply(
                                ex,
                                200,
                                "{\"jobs\":["
                                        + "{\"jid\":\"f1\",\"name\":\"streamlip-filter\","
                                        + "\"state\":\"RUNNING\"},"
                                        + "{\"jid\":\"f0\",\"name\":\"streamlip-filter\","
                                        + "\"state\":\"CANCELED\"},"
                                        + "{\"jid\":\"t1\",\"name\":\"streamlip-tokenize\","
                                        + "\"state\":\"RUNNING\"},"
                                        + "{\"jid\":\"x1\",\"name\":\"other\","
                                        + "\"state\":\"RUNNING\"}]}"));
        server.createContext(
                "/jobs/",
                ex -> {
                    String path = ex.getRequestURI().getPath();
                    String[] parts = path.split("/");
                    String job = parts[2];
                    if (path.endsWith("/stop") && ex.getRequestMethod().equals("POST")) {
                        bodies.put(
                                "stop-" + job,
                                new String(
                                        ex.getRequestBody().readAllBytes(),
                                        StandardCharsets.UTF_8));
                        reply(ex, 202, "{\"request-id\":\"trigger-" + job + "\"}");
                    } else if (parts.length == 5 && parts[3].equals("savepoints")) {
                        boolean first = polls.merge(job, 1, Integer::sum) == 1;
                        String operation =
                                job.equals("t1")
                                        ? "{\"failure-cause\":{\"class\":\"java.lang.Exception\","
                                                + "\"stack-trace\":\"java.lang.Exception: disk"
                                                + " full\\n\\tat x\"}}"
                                        : "{\"location\":\"file:/sp/savepoint-" + job + "\"}";
                        reply(
                                ex,
                                200,
                                first
                                        ? "{\"status\":{\"id\":\"IN_PROGRESS\"}}"
                                        : "{\"status\":{\"id\":\"COMPLETED\"},"
                                                + "\"operation\":"
                                                + operation
                                                + "}");
                    } else {
                        reply(ex, 404, "{\"errors\":[\"not found\"]}");
                    }
                });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static void reply(com.sun.net.httpserver.HttpExchange ex, int status, String json)
            throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Test
    void uploadsTheJarAsMultipartAndRunsEachMainClassWithItsArguments(@TempDir Path dir)
            throws Exception {
        Path jar = Files.write(dir.resolve("jobs.jar"), new byte[] {'P', 'K', 3, 4});
        FlinkRestClient client = new FlinkRestClient(url(), Duration.ofSeconds(10));
        String id = client.uploadJar(jar);
        assertThat(id).isEqualTo("abc_jobs.jar");
        assertThat(bodies.get("upload"))
                .startsWith("multipart/form-data; boundary=")
                .contains("name=\"jarfile\"; filename=\"jobs.jar\"")
                .contains("PK\u0003\u0004");

        String job =
                client.run(
                        id, "io.streamlip.filter.FilterJob", List.of("--bootstrap", "k:1"), null);
        assertThat(job).startsWith("job");
        assertThat(bodies.values())
                .anySatisfy(
                        b ->
                                assertThat(b)
                                        .contains(
                                                "\"entryClass\":\"io.streamlip.filter.FilterJob\"")
                                        .contains("\"programArgsList\":[\"--bootstrap\",\"k:1\"]")
                                        .doesNotContain("savepointPath"));
    }

    @Test
    void saysWhatFlinkAnswersOnAnError() {
        FlinkRestClient client = new FlinkRestClient(url(), Duration.ofSeconds(10));
        assertThatThrownBy(() -> client.run("missing", "X", List.of(), null))
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("jar not found");
        assertThatThrownBy(() -> client.uploadJar(Path.of("no-such.jar")))
                .hasMessageContaining("no job jar at no-such.jar");
    }

    @Test
    void givesEachJobItsOwnCheckpointFolderAndTheRestartBudget() {
        SubmitCommand submit = new SubmitCommand();
        var cli = new picocli.CommandLine(submit);
        cli.parseArgs(
                "--bootstrap=k:9092",
                "--jar=x.jar",
                "--checkpoint-dir=s3://b/cp",
                "--topic-prefix=exp-",
                "--restart-attempts=7",
                "--tokenizer=/shared/tokenizer.json");
        assertThat(submit.arguments("filter"))
                .containsSubsequence("--bootstrap", "k:9092")
                .containsSubsequence("--checkpoint-dir", "s3://b/cp/filter")
                .containsSubsequence("--parallelism", "2")
                .containsSubsequence("--restart-attempts", "7")
                .containsSubsequence("--topic-prefix", "exp-")
                .doesNotContain("--tokenizer", "--restart-backoff-max-ms");
        assertThat(submit.arguments("tokenize"))
                .containsSubsequence("--tokenizer", "/shared/tokenizer.json");
    }

    @Test
    void theTokenizeJobMakesExamplesAtTheModelsImageSize() {
        assertThat(parsed("--model=b16").arguments("tokenize"))
                .containsSubsequence("--image-size", "224");
        assertThat(parsed("--image-size=96").arguments("tokenize"))
                .containsSubsequence("--image-size", "96");
        // Without either, the trainer's default preset's size (small: 32), always explicit.
        assertThat(parsed().arguments("tokenize")).containsSubsequence("--image-size", "32");
        assertThat(parsed("--model=b16").arguments("filter")).doesNotContain("--image-size");
        // As for train --model, the preset name ignores case.
        assertThat(parsed("--model", "B16").arguments("tokenize"))
                .containsSubsequence("--image-size", "224");
    }

    @Test
    void refusesAnImageSizeTheJobWouldRefuse() {
        assertThatThrownBy(() -> parsed("--model=b32").exampleImageSize())
                .isInstanceOf(picocli.CommandLine.ParameterException.class)
                .hasMessageContaining("--model: unknown model preset 'b32'")
                .hasMessageContaining("b16");
        assertThatThrownBy(() -> parsed("--image-size=2").exampleImageSize())
                .hasMessageContaining("--image-size: imageSize must be at least 4, got 2");
        assertThatThrownBy(() -> parsed("--model=b16", "--image-size=224").exampleImageSize())
                .hasMessageContaining("--model and --image-size both set");
        StringWriter err = new StringWriter();
        int rc =
                Streamlip.commandLine()
                        .setErr(new PrintWriter(err))
                        .execute(
                                "submit",
                                "--bootstrap=127.0.0.1:1",
                                "--jar=x.jar",
                                "--checkpoint-dir=/cp",
                                "--image-size=9000");
        assertThat(rc).isNotZero();
        assertThat(err.toString()).contains("--image-size: imageSize must be at most 4096");
    }

    @Test
    void passesRenderingAndFileSinksToTheJobThatTakesThem() {
        SubmitCommand submit =
                parsed(
                        "--render-text",
                        "--render-font=/shared/unifont.hex.gz",
                        "--curated-webdataset-dir=/shared/curated-wds",
                        "--curated-avro-dir",
                        "file:///shared/curated-avro",
                        "--examples-webdataset-dir=/shared/examples-wds",
                        "--shard-records=5000",
                        "--shard-max-record-bytes=1000000");
        List<String> filter = submit.arguments("filter");
        List<String> tokenize = submit.arguments("tokenize");
        assertThat(tokenize)
                .containsSubsequence("--render-text", "true")
                .containsSubsequence("--render-font", "/shared/unifont.hex.gz")
                .containsSubsequence("--examples-webdataset-dir", "/shared/examples-wds")
                .containsSubsequence("--shard-records", "5000")
                .containsSubsequence("--shard-max-record-bytes", "1000000")
                .doesNotContain("--curated-webdataset-dir", "--examples-avro-dir");
        assertThat(filter)
                .containsSubsequence("--curated-webdataset-dir", "/shared/curated-wds")
                .containsSubsequence("--curated-avro-dir", "/shared/curated-avro")
                .containsSubsequence("--shard-records", "5000")
                .doesNotContain("--render-text", "--examples-webdataset-dir");
        // What submit passes is what each job's main reads.
        JobArguments tokenizeJob =
                JobArguments.parse(
                        tokenize.toArray(String[]::new),
                        java.util.Set.of(
                                "tokenizer",
                                "image-size",
                                "render-text",
                                "render-font",
                                "examples-webdataset-dir",
                                "examples-avro-dir",
                                "shard-records",
                                "shard-max-record-bytes"));
        assertThat(tokenizeJob.jobOption("render-font")).contains("/shared/unifont.hex.gz");
        // Without the options the jobs get none of them.
        assertThat(parsed().arguments("tokenize"))
                .noneMatch(a -> a.startsWith("--render") || a.startsWith("--shard"));
        assertThat(parsed().arguments("filter")).noneMatch(a -> a.startsWith("--curated"));
    }

    @Test
    void refusesFileSinkAndRenderOptionsTheJobsWouldRefuse() {
        assertThatThrownBy(() -> parsed("--curated-avro-dir=s3://b/avro").arguments("filter"))
                .isInstanceOf(picocli.CommandLine.ParameterException.class)
                .hasMessageContaining("must be a local or shared path");
        assertThatThrownBy(
                        () ->
                                parsed("--examples-webdataset-dir=/x", "--shard-records=0")
                                        .arguments("tokenize"))
                .hasMessageContaining("recordsPerShard must be positive, got 0");
        assertThatThrownBy(() -> parsed("--render-font=/f.hex").arguments("tokenize"))
                .hasMessageContaining("--render-font goes with --render-text");
        assertThatThrownBy(() -> parsed("--render-text", "--image-size=8").exampleImageSize())
                .hasMessageContaining("rendering text needs imageSize >= 16");
    }

    /** {@code streamlip submit} parsed with {@code args} after the required options. */
    static SubmitCommand parsed(String... args) {
        SubmitCommand submit = new SubmitCommand();
        List<String> all =
                new java.util.ArrayList<>(
                        List.of("--bootstrap=k:9092", "--jar=x.jar", "--checkpoint-dir=/cp"));
        all.addAll(List.of(args));
        new picocli.CommandLine(submit).parseArgs(all.toArray(String[]::new));
        return submit;
    }

    @Test
    void liveModelTurnsTheFiltersCrossModalScoreOnWithItsPolicy() {
        SubmitCommand submit = new SubmitCommand();
        new picocli.CommandLine(submit)
                .parseArgs("--bootstrap=k:9092", "--jar=x.jar", "--checkpoint-dir=/cp");
        assertThat(submit.arguments("filter")).noneMatch(a -> a.startsWith("--crossmodal"));
        submit = new SubmitCommand();
        new picocli.CommandLine(submit)
                .parseArgs(
                        "--bootstrap=k:9092",
                        "--jar=x.jar",
                        "--checkpoint-dir=/cp",
                        "--live-model",
                        "--crossmodal-top-fraction=0.8",
                        "--crossmodal-thresholds=en=0.25");
        List<String> filter = submit.arguments("filter");
        assertThat(filter)
                .containsSubsequence("--crossmodal-score", "true")
                .containsSubsequence("--crossmodal-top-fraction", "0.8")
                .containsSubsequence("--crossmodal-thresholds", "en=0.25");
        assertThat(submit.arguments("tokenize")).noneMatch(a -> a.startsWith("--crossmodal"));
        // What the filter job's main reads back is what submit was given.
        JobArguments parsed =
                JobArguments.parse(filter.toArray(String[]::new), CrossModalArguments.NAMES);
        assertThat(CrossModalArguments.apply(parsed, CrossModalConfig.defaults()))
                .isEqualTo(submit.crossModalConfig());
        assertThat(submit.crossModalConfig().enabled()).isTrue();
    }

    @Test
    void leavesRestartsToTheJobsUnboundedDefaultUnlessTold() {
        SubmitCommand submit = new SubmitCommand();
        new picocli.CommandLine(submit)
                .parseArgs("--bootstrap=k:9092", "--jar=x.jar", "--checkpoint-dir=/cp");
        assertThat(submit.arguments("filter"))
                .noneMatch(a -> a.startsWith("--restart"))
                .doesNotContain("--retained-checkpoints");
        submit = new SubmitCommand();
        new picocli.CommandLine(submit)
                .parseArgs(
                        "--bootstrap=k:9092",
                        "--jar=x.jar",
                        "--checkpoint-dir=/cp",
                        "--restart-backoff-max-ms=30000",
                        "--restart-backoff-multiplier=2",
                        "--retained-checkpoints=5");
        assertThat(submit.arguments("tokenize"))
                .containsSubsequence("--restart-backoff-max-ms", "30000")
                .containsSubsequence("--restart-backoff-multiplier", "2.0")
                .containsSubsequence("--retained-checkpoints", "5")
                .doesNotContain("--restart-attempts");
        StringWriter err = new StringWriter();
        int rc =
                Streamlip.commandLine()
                        .setErr(new PrintWriter(err))
                        .execute(
                                "submit",
                                "--bootstrap=127.0.0.1:1",
                                "--jar=x.jar",
                                "--checkpoint-dir=/cp",
                                "--restart-attempts=3",
                                "--restart-backoff-max-ms=1000");
        assertThat(rc).isNotZero();
        assertThat(err.toString()).contains("do not mix");
    }

    @Test
    void startsEachJobFromItsOwnSavepointOrCheckpoint(@TempDir Path dir) throws Exception {
        SubmitCommand submit = new SubmitCommand();
        new picocli.CommandLine(submit)
                .parseArgs(
                        "--bootstrap=k:9092",
                        "--jar=x.jar",
                        "--checkpoint-dir=/cp",
                        "--from-savepoint=filter=file:/sp/savepoint-a=1",
                        "--from-checkpoint",
                        "tokenize=s3://b/cp/tokenize/abc/chk-7");
        assertThat(submit.restorePaths())
                .containsExactly(
                        Map.entry("filter", "file:/sp/savepoint-a=1"),
                        Map.entry("tokenize", "s3://b/cp/tokenize/abc/chk-7"));
        // A bare path belongs to the one job started; with two jobs it is refused.
        submit = new SubmitCommand();
        new picocli.CommandLine(submit)
                .parseArgs(
                        "--bootstrap=k:9092",
                        "--jar=x.jar",
                        "--checkpoint-dir=/cp",
                        "--jobs=tokenize",
                        "--savepoint=/sp/x");
        assertThat(submit.restorePaths()).containsExactly(Map.entry("tokenize", "/sp/x"));
        for (String[] wrong :
                List.of(
                        new String[] {"--from-savepoint=/sp/x"},
                        new String[] {"--from-savepoint=filter=/a", "--from-checkpoint=filter=/b"},
                        new String[] {"--jobs=tokenize", "--from-savepoint=filter=/a"})) {
            StringWriter err = new StringWriter();
            List<String> args =
                    new java.util.ArrayList<>(
                            List.of(
                                    "submit",
                                    "--bootstrap=127.0.0.1:1",
                                    "--jar=x.jar",
                                    "--checkpoint-dir=/cp"));
            args.addAll(List.of(wrong));
            int rc =
                    Streamlip.commandLine()
                            .setErr(new PrintWriter(err))
                            .execute(args.toArray(String[]::new));
            assertThat(rc).as("%s", args).isNotZero();
            assertThat(err.toString())
                    .as("%s", args)
                    .containsAnyOf("JOB=PATH", "more than one", "does not start");
        }

        // The run request carries the path; allowNonRestoredState only when asked for.
        Path jar = Files.write(dir.resolve("jobs.jar"), new byte[] {'P', 'K', 3, 4});
        FlinkRestClient client = new FlinkRestClient(url(), Duration.ofSeconds(10));
        String id = client.uploadJar(jar);
        client.run(id, "F", List.of(), "file:/sp/savepoint-a");
        client.run(id, "G", List.of(), "file:/sp/savepoint-b", true);
        assertThat(bodies.values())
                .anySatisfy(
                        b ->
                                assertThat(b)
                                        .contains("\"entryClass\":\"F\"")
                                        .contains("\"savepointPath\":\"file:/sp/savepoint-a\"")
                                        .contains("\"allowNonRestoredState\":false"))
                .anySatisfy(
                        b ->
                                assertThat(b)
                                        .contains("\"entryClass\":\"G\"")
                                        .contains("\"allowNonRestoredState\":true"));
    }

    @Test
    void stopTakesASavepointOfEachRunningJobAndPrintsWhereItWent() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc =
                Streamlip.commandLine()
                        .setOut(new PrintWriter(out))
                        .setErr(new PrintWriter(err))
                        .execute(
                                "stop",
                                "--flink=" + url(),
                                "--jobs=filter",
                                "--savepoint-dir=file:///sp",
                                "--json");
        assertThat(rc).as("stop: %s %s", out, err).isZero();
        assertThat(bodies.get("stop-f1"))
                .contains("\"targetDirectory\":\"file:///sp\"")
                .contains("\"drain\":false");
        assertThat(bodies).doesNotContainKeys("stop-f0", "stop-t1", "stop-x1");
        var printed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
        assertThat(printed.path("savepoints").path("filter").asText())
                .isEqualTo("file:/sp/savepoint-f1");
        assertThat(printed.path("jobs").path("filter").asText()).isEqualTo("f1");
        assertThat(printed.path("resume_arguments").toString())
                .isEqualTo("[\"--from-savepoint\",\"filter=file:/sp/savepoint-f1\"]");

        // A savepoint that fails: a non-zero exit with Flink's cause, nothing claimed as saved.
        StringWriter out2 = new StringWriter();
        StringWriter err2 = new StringWriter();
        rc =
                Streamlip.commandLine()
                        .setOut(new PrintWriter(out2))
                        .setErr(new PrintWriter(err2))
                        .execute("stop", "--flink=" + url());
        assertThat(rc).isNotZero();
        assertThat(err2.toString()).contains("savepoint of job t1 failed").contains("disk full");
        assertThat(out2.toString()).doesNotContain("savepoint-");
    }

    @Test
    void stopRefusesWhenAJobIsNotRunning() {
        server.removeContext("/jobs/overview");
        server.createContext("/jobs/overview", ex -> reply(ex, 200, "{\"jobs\":[]}"));
        StringWriter err = new StringWriter();
        int rc =
                Streamlip.commandLine()
                        .setErr(new PrintWriter(err))
                        .execute("stop", "--flink=" + url());
        assertThat(rc).isNotZero();
        assertThat(err.toString()).contains("no RUNNING Flink job named [streamlip-filter");
        assertThat(bodies).isEmpty();
    }

    @Test
    void forwardsKafkaPropertiesToEveryJob() {
        SubmitCommand submit = new SubmitCommand();
        new picocli.CommandLine(submit)
                .parseArgs(
                        "--bootstrap=k:9092",
                        "--jar=x.jar",
                        "--checkpoint-dir=/cp",
                        "--kafka-property=security.protocol=SASL_SSL",
                        "--kafka-property",
                        "sasl.jaas.config=" + JAAS);
        for (String job : SubmitCommand.JOBS.keySet()) {
            assertThat(submit.arguments(job))
                    .containsSubsequence("--kafka-property", "security.protocol=SASL_SSL")
                    .containsSubsequence("--kafka-property", "sasl.jaas.config=" + JAAS);
        }
    }

    /**
     * A whole {@code submit} against a real broker and the stand-in Flink: Flink receives the
     * secret, what the command prints does not hold it.
     */
    @Test
    @Tag("integration")
    void printsTheJobsArgumentsWithSecretsMasked(@TempDir Path dir) throws Exception {
        Path jar = Files.write(dir.resolve("jobs.jar"), new byte[] {'P', 'K', 3, 4});
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc;
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            rc =
                    Streamlip.commandLine()
                            .setOut(new PrintWriter(out))
                            .setErr(new PrintWriter(err))
                            .execute(
                                    "submit",
                                    "--flink=" + url(),
                                    "--jar=" + jar,
                                    "--bootstrap=" + broker.bootstrapServers(),
                                    "--checkpoint-dir=/cp",
                                    // PLAINTEXT ignores the SASL and SSL settings below.
                                    "--kafka-property=security.protocol=PLAINTEXT",
                                    "--kafka-property=sasl.jaas.config=" + JAAS,
                                    "--kafka-property=ssl.key.password=hunter2");
        }
        assertThat(rc).as("submit: %s %s", out, err).isZero();
        assertThat(bodies.values())
                .filteredOn(b -> b.contains("entryClass"))
                .hasSize(2)
                .allSatisfy(
                        b ->
                                assertThat(b)
                                        .contains("security.protocol=PLAINTEXT")
                                        .contains("hunter2"));
        assertThat(out.toString())
                .contains("\"--kafka-property\", \"security.protocol=PLAINTEXT\"")
                .contains("sasl.jaas.config=[hidden]")
                .contains("ssl.key.password=[hidden]")
                .doesNotContain("hunter2");
        assertThat(err.toString()).doesNotContain("hunter2");
    }

    @Test
    void refusesAnUnknownJob() {
        StringWriter err = new StringWriter();
        int rc =
                Streamlip.commandLine()
                        .setErr(new PrintWriter(err))
                        .execute(
                                "submit",
                                "--bootstrap=127.0.0.1:1",
                                "--jar=x.jar",
                                "--checkpoint-dir=/cp",
                                "--jobs=filter,train");
        assertThat(rc).isNotZero();
        assertThat(err.toString()).contains("unknown job train");
    }
}
