package io.streamlip.trainer.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one topic as the reader was delivered them, decoded (or with the decoder's
 * refusal), in delivery order, so that a replay pass reads them from memory instead of fetching and
 * decoding them again. It records only while the reader reads each partition from its beginning
 * with nothing passed over, and at most {@code maxBytes} (an estimate of the heap the entries hold
 * beyond what the shuffle buffer shares with them): over the bound it drops what it holds and stays
 * off, and every later replay reads Kafka. Not thread-safe: the reader owns it.
 */
final class ReplayCache {

    /** A record as delivered: its example, or the reason the decoder refused it. */
    record Entry(
            int partition,
            long offset,
            long timestamp,
            DecodedExample example,
            ExampleDecoder.Refusal refusal) {}

    /** Heap per entry beyond its arrays: the entry, the example, the strings' and arrays' heads. */
    static final long ENTRY_OVERHEAD_BYTES = 200;

    private final long maxBytes;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<Integer, Long> starts = new HashMap<>();
    private long bytes;
    private boolean recording;
    private boolean full;
    private int serving = -1; // next entry a replay reads; -1 while not replaying

    /**
     * A cache of at most {@code maxBytes} (0: off), recording from the reader's first record: a
     * partition counts as read from its beginning if its first record delivered was its first.
     */
    ReplayCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.recording = maxBytes > 0;
    }

    /** Records a delivered record (nothing while off, full or replaying). */
    void record(Entry entry) {
        if (!recording || serving >= 0) {
            return;
        }
        long size = bytes(entry);
        if (bytes + size > maxBytes) {
            full = true;
            stop();
            return;
        }
        starts.putIfAbsent(entry.partition(), entry.offset());
        entries.add(entry);
        bytes += size;
    }

    /**
     * A record was passed over without being decoded (trained before a restart), or the reader
     * moved elsewhere: what is recorded is no longer every record from the beginning.
     */
    void invalidate() {
        stop();
    }

    /**
     * The reader rewound every partition to {@code beginnings} and reads them from there: record
     * afresh (unless full).
     */
    void restart(Map<TopicPartition, Long> beginnings) {
        stop();
        if (maxBytes > 0 && !full) {
            recording = true;
            beginnings.forEach((tp, offset) -> starts.put(tp.partition(), offset));
        }
    }

    /**
     * Whether a replay can read this cache instead of Kafka: it recorded every record of each
     * partition from {@code beginnings} on, and holds nothing from before. {@code positionOf} tells
     * where the consumer stands in a partition that delivered nothing (it holds every record of
     * that partition when that is its beginning).
     */
    boolean replayable(
            Map<TopicPartition, Long> beginnings, ToLongFunction<TopicPartition> positionOf) {
        if (!recording || serving >= 0) {
            return false;
        }
        for (Map.Entry<TopicPartition, Long> b : beginnings.entrySet()) {
            Long start = starts.get(b.getKey().partition());
            long from = start != null ? start : positionOf.applyAsLong(b.getKey());
            if (from != b.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Starts a replay from the first entry. */
    void startReplay() {
        if (!recording) {
            throw new IllegalStateException("the replay cache is not complete");
        }
        serving = 0;
    }

    /** Whether a replay is reading this cache. */
    boolean replaying() {
        return serving >= 0;
    }

    /**
     * The next up to {@code max} entries of the replay; empty once it is read through, which ends
     * the replay (recording goes on behind it, from the reader's consumer).
     */
    List<Entry> next(int max) {
        if (serving < 0) {
            return List.of();
        }
        int end = Math.min(entries.size(), serving + max);
        List<Entry> out = entries.subList(serving, end);
        serving = end;
        if (out.isEmpty()) {
            serving = -1;
        }
        return out;
    }

    /** Entries held. */
    int size() {
        return entries.size();
    }

    /** The estimated heap the entries hold, bytes. */
    long bytes() {
        return bytes;
    }

    /** Whether it went over its bound (then it stays off). */
    boolean full() {
        return full;
    }

    private void stop() {
        recording = false;
        serving = -1;
        entries.clear();
        starts.clear();
        bytes = 0;
    }

    /** The estimated heap an entry holds (its arrays are shared with the shuffle buffer's). */
    static long bytes(Entry entry) {
        DecodedExample e = entry.example();
        if (e == null) {
            return ENTRY_OVERHEAD_BYTES;
        }
        return ENTRY_OVERHEAD_BYTES
                + e.rgb().length
                + 4L * e.tokenIds().length
                + (e.renderedText() == null ? 0 : e.renderedText().length)
                + 2L * e.id().length()
                + (e.lang() == null ? 0 : 2L * e.lang().length());
    }
}
