package io.streamlip.bench.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.sinks.shards.ShardOutput;
import io.streamlip.sinks.webdataset.WebDatasetFormat;
import io.streamlip.sinks.webdataset.WebDatasetSamples;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WebDataset shards the sinks write, read the way the PyTorch world reads them: {@code
 * webdataset_reader.py} (Debian's {@code python3}, standard library only, following webdataset's
 * documented grouping rules) decodes every sample's image and caption and checks them against what
 * was written; with torch present, the PyTorch twin then trains on batches made from the shards.
 */
@Tag("integration")
class WebDatasetPytorchTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SIZE = 32;
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);

    @Test
    @Timeout(600)
    void pythonReadsEverySampleAsWrittenAndTheTwinTrainsOnThem(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), PYTHON + " is missing: the WebDataset check skips");
        Path shards = Files.createDirectories(dir.resolve("shards"));
        Path expected = dir.resolve("expected.jsonl");
        Random random = new Random(3);
        StringBuilder lines = new StringBuilder();
        WebDatasetFormat<Example> format = new WebDatasetFormat<>(WebDatasetSamples::of);
        int perShard = 12;
        for (int shard = 0; shard < 2; shard++) {
            try (ShardOutput<Example> out =
                    format.create(shards.resolve(String.format("%06d.tar", shard)), shard)) {
                for (int i = 0; i < perShard; i++) {
                    // Captions with non-ASCII text; images with structure (a gradient per class)
                    // plus noise, so a caption and its image belong together.
                    int label = (shard * perShard + i) % 4;
                    String caption = "Foto Nr. " + label + " – café ☕ " + (shard * perShard + i);
                    byte[] rgb = new byte[SIZE * SIZE * 3];
                    for (int p = 0; p < SIZE * SIZE; p++) {
                        for (int c = 0; c < 3; c++) {
                            int base = c == label % 3 ? 200 : 40 + 30 * label;
                            rgb[p * 3 + c] = (byte) Math.min(255, base + random.nextInt(40));
                        }
                    }
                    int[] tokens = TOKENIZER.encode(caption);
                    List<Integer> ids = new ArrayList<>();
                    for (int t : tokens) {
                        ids.add(t);
                    }
                    Example example =
                            Example.newBuilder()
                                    .setId("ex-" + shard + "-" + i)
                                    .setLang("de")
                                    .setCaption(caption)
                                    .setTokenIds(ids)
                                    .setTokenizerVersion(TOKENIZER.version())
                                    .setImage(ByteBuffer.wrap(rgb))
                                    .setImageFormat(PixelFormat.RGB8_HWC)
                                    .setImageSize(SIZE)
                                    .setSourceTime(Instant.ofEpochMilli(1234))
                                    .build();
                    out.write(example);
                    ObjectNode line = JSON.createObjectNode();
                    line.put("key", WebDatasetFormat.key(shard, i));
                    line.put("caption", caption);
                    line.put("rgb_sha256", sha256(rgb));
                    line.put("size", SIZE);
                    line.set("token_ids", JSON.valueToTree(ids));
                    lines.append(JSON.writeValueAsString(line)).append('\n');
                }
                out.finish();
            }
        }
        Files.writeString(expected, lines.toString(), StandardCharsets.UTF_8);
        Path scripts = Files.createDirectories(dir.resolve("scripts"));
        Path reader = extract("webdataset_reader.py", scripts);
        extract("siglip_twin.py", scripts);

        JsonNode checked =
                JSON.readTree(
                        run(
                                List.of(
                                        PYTHON.toString(),
                                        reader.toString(),
                                        "check",
                                        shards.toString(),
                                        expected.toString())));
        assertThat(checked.path("samples").asInt()).isEqualTo(24);
        assertThat(checked.path("shards").asInt()).isEqualTo(2);

        assumeTrue(
                SystemPytorch.debian().available(),
                "python3-torch is not installed: the twin does not train on the shards");
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", ModelConfig.tiny(TOKENIZER.vocabSize()));
        request.put("batch", 8);
        request.put("threads", 1);
        request.put("seed", 1);
        request.put(
                "optimizer",
                OptimizerConfig.defaults().toBuilder().learningRate(2e-3).warmupSteps(1).build());
        Path requestFile = dir.resolve("request.json");
        JSON.writeValue(requestFile.toFile(), request);
        JsonNode trained =
                JSON.readTree(
                        run(
                                List.of(
                                        PYTHON.toString(),
                                        reader.toString(),
                                        "train",
                                        shards.toString(),
                                        requestFile.toString(),
                                        "30")));
        assertThat(trained.path("batches").asInt()).isEqualTo(3);
        JsonNode losses = trained.path("losses");
        assertThat(losses.size()).isEqualTo(30);
        double first =
                (losses.get(0).asDouble() + losses.get(1).asDouble() + losses.get(2).asDouble())
                        / 3;
        double last =
                (losses.get(27).asDouble() + losses.get(28).asDouble() + losses.get(29).asDouble())
                        / 3;
        for (JsonNode loss : losses) {
            assertThat(loss.asDouble()).isFinite();
        }
        // The same three batches again and again: the twin fits them.
        assertThat(last).isLessThan(first);
    }

    private static Path extract(String name, Path dir) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in =
                WebDatasetPytorchTest.class.getResourceAsStream("/io/streamlip/bench/" + name)) {
            assertThat(in).as(name).isNotNull();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("OMP_NUM_THREADS", "1");
        Path err = Files.createTempFile("webdataset-reader", ".err");
        builder.redirectError(err.toFile());
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(err);
        Files.delete(err);
        assertThat(p.exitValue()).as(command + ": " + out + stderr).isZero();
        return out;
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
