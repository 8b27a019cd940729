package io.streamlip.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.sinks.FileSinkConfig;
import io.streamlip.sinks.FileSinks;
import io.streamlip.sinks.shards.ShardConfig;
import io.streamlip.sinks.shards.ShardNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the demo's file sinks wrote, for summary.json's {@code file_sinks}: per format and stream,
 * the folder, the complete shards and the unfinished ones (hidden {@code .inprogress} files: each
 * writer's last shard, never filled before the demo stopped its jobs).
 */
final class DemoShards {
    private DemoShards() {}

    /**
     * {@code {"records_per_shard", "webdataset": {"curated": {...}, "examples": {...}}, "avro"}}.
     */
    static ObjectNode summary(FileSinkConfig curated, FileSinkConfig examples) {
        ObjectNode s = Json.object();
        s.put("records_per_shard", curated.recordsPerShard());
        add(s, "webdataset", "tar", curated.webDataset(FileSinks.CURATED_PREFIX), "curated");
        add(s, "webdataset", "tar", examples.webDataset(FileSinks.EXAMPLES_PREFIX), "examples");
        add(s, "avro", "avro", curated.avro(FileSinks.CURATED_PREFIX), "curated");
        add(s, "avro", "avro", examples.avro(FileSinks.EXAMPLES_PREFIX), "examples");
        return s;
    }

    private static void add(
            ObjectNode s,
            String format,
            String extension,
            Optional<ShardConfig> shards,
            String of) {
        if (shards.isEmpty()) {
            return;
        }
        ShardConfig config = shards.get();
        ShardNames names = new ShardNames(config.prefix(), extension);
        ObjectNode byFormat = s.get(format) instanceof ObjectNode o ? o : s.putObject(format);
        ObjectNode node = byFormat.putObject(of);
        node.put("folder", config.folder());
        node.put("shards", count(config.folderPath(), names, false));
        node.put("unfinished", count(config.folderPath(), names, true));
    }

    /** Shards of {@code names} in {@code folder}: complete ones, or unfinished ones. */
    static long count(Path folder, ShardNames names, boolean unfinished) {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        String complete = Pattern.quote(names.prefix()) + "-\\d{6,}\\." + names.extension();
        Pattern name = Pattern.compile(unfinished ? "\\." + complete + "\\.inprogress" : complete);
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> name.matcher(p.getFileName().toString()).matches()).count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }
}
