package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.streamlip.ingest.kafka.KafkaBroker;
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
                .doesNotContain("--tokenizer");
        assertThat(submit.arguments("tokenize"))
                .containsSubsequence("--tokenizer", "/shared/tokenizer.json");
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
