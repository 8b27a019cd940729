package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code streamlip blocklist add|remove} and the blocklist options of demo and submit. */
class BlocklistCommandTest {
    private static final String SHA = "0f".repeat(32);

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Streamlip.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void isACommandWithAddAndRemove() {
        assertThat(run("blocklist", "--help").out())
                .contains("Usage: streamlip blocklist")
                .contains("add")
                .contains("remove");
        assertThat(run("blocklist", "add", "--help").out())
                .contains("Usage: streamlip blocklist add")
                .contains("--bootstrap")
                .contains("sha256:<64 hex> | phash:<16 hex> | term:<text>");
    }

    @Test
    void aMalformedEntryIsRefusedBeforeAnythingIsWritten() {
        // No broker at this address: the entry is checked first.
        Run run = run("blocklist", "add", "--bootstrap", "127.0.0.1:1", "sha256:" + SHA, "md5:abc");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("'md5:abc'").contains("unknown kind 'md5'");
    }

    @Test
    void submitPassesTheBlocklistOptionsToTheFilterJobOnly() {
        SubmitCommand submit = new SubmitCommand();
        new CommandLine(submit)
                .parseArgs(
                        "--bootstrap=k:9092",
                        "--jar=x.jar",
                        "--checkpoint-dir=/cp",
                        "--caption-blocklist=/lists/terms.txt",
                        "--image-blocklist=/lists/images.txt",
                        "--blocklist-max-distance=6");
        assertThat(submit.arguments("filter"))
                .containsSubsequence("--caption-blocklist", "/lists/terms.txt")
                .containsSubsequence("--image-blocklist", "/lists/images.txt")
                .containsSubsequence("--blocklist-max-distance", "6");
        assertThat(submit.arguments("tokenize"))
                .doesNotContain("--caption-blocklist", "--image-blocklist");
    }

    @Test
    void demoReadsTheBlocklistFilesBeforeStarting(@TempDir Path dir) throws Exception {
        Path images = Files.writeString(dir.resolve("images.txt"), "phash:0123456789abcdef\n");
        Path terms = Files.writeString(dir.resolve("terms.txt"), "casino\n");
        DemoCommand demo = new DemoCommand();
        CommandLine cli = new CommandLine(demo);
        cli.parseArgs(
                "--image-blocklist",
                images.toString(),
                "--caption-blocklist",
                terms.toString(),
                "--blocklist-max-distance=5");
        var blocklist = demo.demoConfig().filter().blocklist();
        assertThat(blocklist.imageHashesFile()).isEqualTo(images.toString());
        assertThat(blocklist.captionTermsFile()).isEqualTo(terms.toString());
        assertThat(blocklist.maxPhashDistance()).isEqualTo(5);

        Path bad = Files.writeString(dir.resolve("bad.txt"), "# fine\nphash:xyz\n");
        Run run = run("demo", "--image-blocklist", bad.toString(), "--minutes", "0.1");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains(bad + ":2: ").contains("16 hex digits");
    }

    @Test
    @Tag("integration")
    void addsAndRemovesEntriesOnTheCompactedTopic() throws Exception {
        TemporaryKafka kafka = new TemporaryKafka();
        kafka.beforeAll(null);
        try {
            Run added =
                    run(
                            "blocklist",
                            "add",
                            "--bootstrap",
                            kafka.clients().bootstrapServers(),
                            "--topic-prefix",
                            "cmd-",
                            "SHA256:" + SHA.toUpperCase(),
                            "term:Online Casino");
            assertThat(added.code()).as(added.err()).isZero();
            assertThat(added.out())
                    .contains("\"topic\" : \"cmd-blocklist\"")
                    .contains("\"entry\" : \"sha256:" + SHA + "\"")
                    .contains("\"entry\" : \"term:online casino\"");
            Run removed =
                    run(
                            "blocklist",
                            "remove",
                            "--bootstrap",
                            kafka.clients().bootstrapServers(),
                            "--topic-prefix",
                            "cmd-",
                            "sha256:" + SHA);
            assertThat(removed.code()).as(removed.err()).isZero();
            assertThat(removed.out()).contains("\"removed\"");

            String topic = PipelineTopics.defaults().prefixed("cmd-").blocklist();
            Map<String, String> records = new LinkedHashMap<>();
            List<ConsumerRecord<byte[], byte[]>> raw = TopicReader.readRaw(kafka.clients(), topic);
            for (ConsumerRecord<byte[], byte[]> r : raw) {
                records.put(
                        new String(r.key(), StandardCharsets.UTF_8) + "#" + r.offset(),
                        r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
            }
            assertThat(records)
                    .containsEntry("sha256:" + SHA + "#0", "sha256:" + SHA)
                    .containsEntry("term:online casino#1", "term:online casino")
                    .containsEntry("sha256:" + SHA + "#2", null);
            try (Admin admin = Admin.create(kafka.clients().common())) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                String policy =
                        admin.describeConfigs(List.of(resource))
                                .all()
                                .get()
                                .get(resource)
                                .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                                .value();
                assertThat(policy).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            }
        } finally {
            kafka.afterAll(null);
        }
    }
}
