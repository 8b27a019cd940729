package io.streamlip.filter.blocklist;

/**
 * One record of the blocklist topic as the filter job applies it: an entry added or removed. A
 * Flink POJO.
 */
public class BlocklistUpdate {
    /** The entry's canonical text ({@link BlocklistEntry#text()}). */
    public String entry;

    /** True for a tombstone (null value): the entry is removed. */
    public boolean remove;

    /** The record's offset on the topic. */
    public long offset;

    /** The record's Kafka timestamp (when it was published), epoch milliseconds. */
    public long timestamp;

    public BlocklistUpdate() {}

    public BlocklistUpdate(String entry, boolean remove, long offset, long timestamp) {
        this.entry = entry;
        this.remove = remove;
        this.offset = offset;
        this.timestamp = timestamp;
    }
}
