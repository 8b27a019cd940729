package io.streamlip.filter.blocklist;

import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses pairs on a blocklist ({@link Blocklist#check}): the entries of the files, fixed when the
 * job is built, and those of the blocklist topic, which arrive as a broadcast stream while the job
 * runs and are kept in broadcast state ({@link #ENTRIES}, restored with the job). An entry the
 * topic adds applies to every pair this task sees after it; a tombstone removes it again (a file's
 * entry stays). A refusal goes to {@code EnvelopeStage.rejects(stage)} with the stage, {@code
 * blocklisted_image} or {@code caption_blocklisted}, and where the entry came from.
 */
public final class BlocklistFunction
        extends BroadcastProcessFunction<CuratedEnvelope, BlocklistUpdate, CuratedEnvelope> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BlocklistFunction.class);

    /** Broadcast state: the topic's entries in force, entry text -> origin. */
    public static final MapStateDescriptor<String, String> ENTRIES =
            new MapStateDescriptor<>("blocklist-entries", Types.STRING, Types.STRING);

    private final List<BlocklistFiles.Located> fileEntries;
    private final int maxPhashDistance;
    private final int maxEntries;
    private final String stage;
    private final OutputTag<Reject> rejects;
    private transient Blocklist files;
    private transient Blocklist topic;
    private transient boolean synced;
    private transient RejectCounters counters;
    private transient Counter refusedUpdates;

    /**
     * @param fileEntries the files' entries ({@link BlocklistFiles})
     * @param maxPhashDistance see {@link Blocklist#Blocklist(int, int)}
     * @param maxEntries most entries of each list (the files', the topic's)
     * @param stage the stage of the refusals
     */
    public BlocklistFunction(
            List<BlocklistFiles.Located> fileEntries,
            int maxPhashDistance,
            int maxEntries,
            String stage) {
        this.fileEntries = List.copyOf(fileEntries);
        this.maxPhashDistance = maxPhashDistance;
        this.maxEntries = maxEntries;
        this.stage = stage;
        this.rejects = EnvelopeStage.rejects(stage);
    }

    @Override
    public void open(OpenContext openContext) {
        files = new Blocklist(maxPhashDistance, maxEntries);
        for (BlocklistFiles.Located located : fileEntries) {
            files.add(located.entry(), located.origin());
        }
        topic = new Blocklist(maxPhashDistance, maxEntries);
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
        refusedUpdates = getRuntimeContext().getMetricGroup().counter("blocklistUpdatesRefused");
        getRuntimeContext().getMetricGroup().gauge("blocklistEntries", this::entries);
    }

    private int entries() {
        return (files == null ? 0 : files.size()) + (topic == null ? 0 : topic.size());
    }

    @Override
    public void processElement(
            CuratedEnvelope in, ReadOnlyContext ctx, Collector<CuratedEnvelope> out)
            throws Exception {
        sync(ctx.getBroadcastState(ENTRIES));
        Optional<Verdict.Refused<Void>> refused = refusal(in);
        if (refused.isPresent()) {
            counters.rejected(refused.get().reason());
            ctx.output(
                    rejects,
                    in.source.reject(
                            in.pair.getPair().getId(),
                            stage,
                            refused.get().reason(),
                            refused.get().detail()));
            return;
        }
        counters.accepted();
        out.collect(in);
    }

    private Optional<Verdict.Refused<Void>> refusal(CuratedEnvelope in) {
        String sha256 = in.pair.getImageSha256();
        Long phash = in.pair.getPhash();
        String caption = in.pair.getCaption();
        Optional<Verdict.Refused<Void>> refused = files.check(sha256, phash, caption);
        return refused.isPresent() ? refused : topic.check(sha256, phash, caption);
    }

    @Override
    public void processBroadcastElement(
            BlocklistUpdate update, Context ctx, Collector<CuratedEnvelope> out) throws Exception {
        sync(ctx.getBroadcastState(ENTRIES));
        BlocklistEntry entry = BlocklistEntry.parse(update.entry);
        if (update.remove) {
            ctx.getBroadcastState(ENTRIES).remove(entry.text());
            topic.remove(entry);
            LOG.info("blocklist: removed {} (offset {})", entry, update.offset);
            return;
        }
        String origin = "blocklist topic, offset " + update.offset;
        try {
            if (topic.add(entry, origin)) {
                ctx.getBroadcastState(ENTRIES).put(entry.text(), origin);
            }
        } catch (IllegalStateException e) {
            // At the bound: the entry cannot apply; say so loudly, the job goes on.
            refusedUpdates.inc();
            LOG.error("blocklist: {}", e.getMessage());
            return;
        }
        LOG.info(
                "blocklist: added {} (offset {}, {} ms after it was published)",
                entry,
                update.offset,
                System.currentTimeMillis() - update.timestamp);
    }

    /** After a restore, rebuilds the topic's list from the broadcast state, once. */
    private void sync(ReadOnlyBroadcastState<String, String> state) throws Exception {
        if (synced) {
            return;
        }
        synced = true;
        for (Map.Entry<String, String> e : state.immutableEntries()) {
            try {
                topic.add(BlocklistEntry.parse(e.getKey()), e.getValue());
            } catch (IllegalStateException full) {
                refusedUpdates.inc();
                LOG.error("blocklist: {}", full.getMessage());
            }
        }
    }
}
