package io.streamlip.filter.blocklist;

import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Verdict;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocklists one task checks pairs against ({@link Blocklist#check}): the entries of the files,
 * fixed when the job is built, and those of the blocklist topic, which arrive as a broadcast stream
 * while the job runs and are kept in broadcast state ({@link #ENTRIES}, restored with the job). An
 * entry the topic adds applies to every pair this task sees after it; a tombstone removes it again
 * (a file's entry stays). The operator that holds it (the filter's deduplication, which refuses a
 * listed pair before it counts as seen) calls {@link #open} once, {@link #refusal} per pair and
 * {@link #apply} per update.
 */
public final class BlocklistMatcher implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BlocklistMatcher.class);

    /** Broadcast state: the topic's entries in force, entry text -> origin. */
    public static final MapStateDescriptor<String, String> ENTRIES =
            new MapStateDescriptor<>("blocklist-entries", Types.STRING, Types.STRING);

    private final List<BlocklistFiles.Located> fileEntries;
    private final int maxPhashDistance;
    private final int maxEntries;
    private transient Blocklist files;
    private transient Blocklist topic;
    private transient boolean synced;
    private transient Counter refusedUpdates;

    /**
     * @param fileEntries the files' entries ({@link BlocklistFiles})
     * @param maxPhashDistance see {@link Blocklist#Blocklist(int, int)}
     * @param maxEntries most entries of each list (the files', the topic's)
     */
    public BlocklistMatcher(
            List<BlocklistFiles.Located> fileEntries, int maxPhashDistance, int maxEntries) {
        this.fileEntries = List.copyOf(fileEntries);
        this.maxPhashDistance = maxPhashDistance;
        this.maxEntries = maxEntries;
    }

    /**
     * Builds the lists (the topic's empty until the first pair or update syncs it with the
     * broadcast state) and registers the metrics {@code blocklistEntries} and {@code
     * blocklistUpdatesRefused} on {@code metrics}.
     */
    public void open(MetricGroup metrics) {
        files = new Blocklist(maxPhashDistance, maxEntries);
        for (BlocklistFiles.Located located : fileEntries) {
            files.add(located.entry(), located.origin());
        }
        topic = new Blocklist(maxPhashDistance, maxEntries);
        synced = false;
        refusedUpdates = metrics.counter("blocklistUpdatesRefused");
        metrics.gauge("blocklistEntries", this::entries);
    }

    private int entries() {
        return (files == null ? 0 : files.size()) + (topic == null ? 0 : topic.size());
    }

    /**
     * Why {@code pair} is refused ({@code blocklisted_image}, {@code caption_blocklisted}), if so.
     */
    public Optional<Verdict.Refused<Void>> refusal(
            ReadOnlyBroadcastState<String, String> state, CuratedPair pair) throws Exception {
        sync(state);
        String sha256 = pair.getImageSha256();
        Long phash = pair.getPhash();
        String caption = pair.getCaption();
        Optional<Verdict.Refused<Void>> refused = files.check(sha256, phash, caption);
        return refused.isPresent() ? refused : topic.check(sha256, phash, caption);
    }

    /** Applies one update of the topic to the list and to the broadcast state. */
    public void apply(BroadcastState<String, String> state, BlocklistUpdate update)
            throws Exception {
        sync(state);
        BlocklistEntry entry = BlocklistEntry.parse(update.entry);
        if (update.remove) {
            state.remove(entry.text());
            topic.remove(entry);
            LOG.info("blocklist: removed {} (offset {})", entry, update.offset);
            return;
        }
        String origin = "blocklist topic, offset " + update.offset;
        try {
            if (topic.add(entry, origin)) {
                state.put(entry.text(), origin);
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
