package io.streamlip.filter.blocklist;

import io.streamlip.filter.config.BlocklistConfig;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.platform.kafka.PipelineSources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocklist as a job wires it: reads the configured files here (in the client, once, so a
 * malformed line fails the submission, not the running job), reads the blocklist topic from its
 * beginning with one source task, and broadcasts it to the operator that holds the {@link
 * BlocklistMatcher} (the filter's deduplication). Operator uids: {@code
 * <stage>-blocklist-topic-source}, {@code <stage>-decode-blocklist}.
 */
public final class BlocklistStage {
    private static final Logger LOG = LoggerFactory.getLogger(BlocklistStage.class);

    private BlocklistStage() {}

    /** The entries of the files {@code config} names ({@link BlocklistFiles}). */
    public static List<BlocklistFiles.Located> fileEntries(BlocklistConfig config) {
        List<BlocklistFiles.Located> entries = new ArrayList<>();
        if (!config.captionTermsFile().isEmpty()) {
            entries.addAll(
                    BlocklistFiles.captionTerms(
                            Path.of(config.captionTermsFile()), config.maxEntries()));
        }
        if (!config.imageHashesFile().isEmpty()) {
            entries.addAll(
                    BlocklistFiles.imageHashes(
                            Path.of(config.imageHashesFile()), config.maxEntries()));
        }
        if (entries.size() > config.maxEntries()) {
            throw new IllegalArgumentException(
                    "the blocklist files hold "
                            + entries.size()
                            + " entries together, more than "
                            + config.maxEntries()
                            + " (filter key blocklist-max-entries)");
        }
        return entries;
    }

    /**
     * The blocklist of {@code config} for the operator that checks it ({@link BlocklistMatcher}),
     * with the files' entries read here, and the blocklist topic's updates as a broadcast stream
     * for that operator's second input (an empty stream when {@code config.followTopic()} is off).
     *
     * @param topic the blocklist topic, followed when {@code config.followTopic()}
     * @param bounded stop reading the topic at its end as of the start (tests, one-shot runs)
     */
    public static Wiring attach(
            StreamExecutionEnvironment env,
            KafkaClients kafka,
            String topic,
            BlocklistConfig config,
            boolean bounded,
            String stage) {
        List<BlocklistFiles.Located> files = fileEntries(config);
        LOG.info(
                "blocklist: {} entries from files{}",
                files.size(),
                config.followTopic() ? ", following topic " + topic : "");
        DataStream<BlocklistUpdate> updates;
        if (config.followTopic()) {
            updates =
                    env.fromSource(
                                    PipelineSources.compactedEnvelopes(
                                            kafka,
                                            topic,
                                            PipelineSources.consumerGroup(stage, topic),
                                            bounded),
                                    WatermarkStrategy.noWatermarks(),
                                    topic + "-source")
                            // Not "-blocklist-source": a savepoint of the job from before the
                            // blocklist moved into the deduplication operator holds the entries in
                            // an operator that is gone, so the topic is read again from its start
                            // (docs/decisions/blocklist.md).
                            .uid(stage + "-blocklist-topic-source")
                            .setParallelism(1)
                            .flatMap(new DecodeUpdates(), TypeInformation.of(BlocklistUpdate.class))
                            .name("decode-blocklist")
                            .uid(stage + "-decode-blocklist")
                            .setParallelism(1);
        } else {
            updates =
                    env.fromData(List.of(), TypeInformation.of(BlocklistUpdate.class))
                            .name("no-blocklist-topic")
                            .uid(stage + "-no-blocklist-topic")
                            .setParallelism(1);
        }
        return new Wiring(
                new BlocklistMatcher(files, config.maxPhashDistance(), config.maxEntries()),
                updates.broadcast(BlocklistMatcher.ENTRIES));
    }

    /**
     * What the checking operator needs: the matcher and the topic's updates, broadcast with {@link
     * BlocklistMatcher#ENTRIES}.
     */
    public record Wiring(BlocklistMatcher matcher, BroadcastStream<BlocklistUpdate> updates) {}

    /**
     * Decodes blocklist records: the key is the entry, a null value removes it. A record whose key
     * is no entry is skipped and logged (the {@code streamlip blocklist} command writes none).
     */
    static final class DecodeUpdates implements FlatMapFunction<KafkaEnvelope, BlocklistUpdate> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(KafkaEnvelope envelope, Collector<BlocklistUpdate> out) {
            if (envelope.key == null) {
                LOG.warn("blocklist: skipping record at offset {}: no key", envelope.offset);
                return;
            }
            String key = new String(envelope.key, StandardCharsets.UTF_8);
            BlocklistEntry entry;
            try {
                entry = BlocklistEntry.parse(key);
            } catch (IllegalArgumentException e) {
                LOG.warn(
                        "blocklist: skipping record at offset {}: {}",
                        envelope.offset,
                        e.getMessage());
                return;
            }
            out.collect(
                    new BlocklistUpdate(
                            entry.text(),
                            envelope.value == null,
                            envelope.offset,
                            envelope.timestamp));
        }
    }
}
