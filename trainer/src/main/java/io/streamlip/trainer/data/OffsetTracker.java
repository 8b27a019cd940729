package io.streamlip.trainer.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * The reader's exactly-once bookkeeping, per partition: the next offset to read and the offsets
 * read into the shuffle buffer but not yet trained, from which it makes the {@link StreamPosition}
 * a checkpoint stores. After a {@link #seek} it says of each record read again whether it was
 * trained before the restart (pass over) or pending (train it again). It also knows which records
 * this source reads for the first time: only those count for freshness.
 */
final class OffsetTracker {

    /** What the position sought to says about a record read. */
    enum Seen {
        /** Not read before the restart (or there was none): decode, sample, buffer. */
        NEW,
        /** Read before the restart but not trained: buffer it again, without a second draw. */
        PENDING,
        /** Trained (or refused, or sampled out) before the restart: pass over. */
        TRAINED
    }

    /** A partition being re-read after a restart: offsets below readUpTo count only if pending. */
    private record Resume(long readUpTo, Set<Long> pending) {}

    /** Per partition: the next offset to read. */
    private final Map<TopicPartition, Long> readPosition = new HashMap<>();

    /** Per partition: offsets in the buffer (of the current pass), not yet trained. */
    private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();

    /** Per partition, after {@link #seek}: what to train again while re-reading. */
    private final Map<TopicPartition, Resume> resuming = new HashMap<>();

    /**
     * Per partition: the offset from which on nothing has been read yet by this source; a record
     * below it is read again (a replay pass) and does not count for freshness.
     */
    private final Map<TopicPartition, Long> neverRead = new HashMap<>();

    /** Per partition: the first offset delivered since construction or the last seek. */
    private final Map<TopicPartition, Long> firstRead = new HashMap<>();

    /**
     * Resumes at {@code position}, for its partitions in {@code assigned}; the buffer was emptied,
     * so nothing read before is pending any more. Returns where to move the consumer: each resumed
     * partition's {@code trainedUpTo}.
     */
    Map<TopicPartition, Long> seek(StreamPosition position, Set<TopicPartition> assigned) {
        pending.clear();
        resuming.clear();
        firstRead.clear();
        Map<TopicPartition, Long> seekTo = new LinkedHashMap<>();
        for (StreamPosition.Partition p : position.partitions()) {
            TopicPartition tp = p.topicPartition();
            if (!assigned.contains(tp)) {
                continue;
            }
            seekTo.put(tp, p.trainedUpTo());
            readPosition.put(tp, p.trainedUpTo());
            if (p.readUpTo() > p.trainedUpTo()) {
                resuming.put(tp, new Resume(p.readUpTo(), new HashSet<>(p.pending())));
            }
        }
        return seekTo;
    }

    /** The record at {@code offset} of {@code tp} was read: what to do with it. */
    Seen read(TopicPartition tp, long offset) {
        firstRead.putIfAbsent(tp, offset);
        readPosition.put(tp, offset + 1);
        Resume resume = resuming.get(tp);
        if (resume == null) {
            return Seen.NEW;
        }
        if (offset >= resume.readUpTo()) {
            resuming.remove(tp);
            return Seen.NEW;
        }
        return resume.pending().remove(offset) ? Seen.PENDING : Seen.TRAINED;
    }

    /**
     * The record just {@link #read} goes into the buffer; returns the produce time it carries:
     * {@code timestamp}, or -1 when this source read it before (a replay pass).
     */
    long buffered(TopicPartition tp, long offset, long timestamp) {
        pending.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
        long unread = neverRead.getOrDefault(tp, 0L);
        neverRead.put(tp, Math.max(unread, offset + 1));
        return offset >= unread ? timestamp : -1;
    }

    /** A buffered record of the current pass went into a batch. */
    void trained(TopicPartition tp, long offset) {
        TreeSet<Long> waiting = pending.get(tp);
        if (waiting != null) {
            waiting.remove(offset);
        }
    }

    /**
     * Every partition starts a new pass at {@code beginnings}: records of the old pass still in the
     * buffer are trained, but the new pass's position no longer waits for them.
     */
    void rewound(Map<TopicPartition, Long> beginnings) {
        pending.clear();
        resuming.clear();
        readPosition.putAll(beginnings);
    }

    /** Whether any partition has a position yet (read from or sought to). */
    boolean hasPosition() {
        return !readPosition.isEmpty();
    }

    /** Where reading stands if every batch handed out so far has been trained. */
    StreamPosition position() {
        List<StreamPosition.Partition> out = new ArrayList<>();
        for (Map.Entry<TopicPartition, Long> e : readPosition.entrySet()) {
            TopicPartition tp = e.getKey();
            long readUpTo = e.getValue();
            TreeSet<Long> waiting = new TreeSet<>(pending.getOrDefault(tp, new TreeSet<>()));
            Resume resume = resuming.get(tp);
            if (resume != null) { // pending before the restart and not read again yet
                for (long o : resume.pending()) {
                    if (o >= readUpTo) {
                        waiting.add(o);
                    }
                }
                readUpTo = Math.max(readUpTo, resume.readUpTo());
            }
            long trainedUpTo = waiting.isEmpty() ? readUpTo : waiting.first();
            out.add(
                    new StreamPosition.Partition(
                            tp.topic(),
                            tp.partition(),
                            trainedUpTo,
                            readUpTo,
                            new ArrayList<>(waiting)));
        }
        return new StreamPosition(out);
    }

    /** Per partition, the first offset read since construction or the last {@link #seek}. */
    Map<TopicPartition, Long> firstOffsetsRead() {
        return Map.copyOf(firstRead);
    }
}
