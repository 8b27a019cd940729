package io.streamlip.monitor;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * The monitor's history: every {@link Snapshot}, keyed by its time (8 bytes, big-endian, so keys
 * sort by time), as JSON, in a RocksDB folder. Lag and throughput over time are read back from it
 * by time range; snapshots older than the retention are deleted with a range delete.
 *
 * <p>Uses only the RocksDB API that {@code org.rocksdb:rocksdbjni} and Flink's {@code frocksdbjni}
 * share, so it runs with either on the classpath.
 */
public final class HistoryStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    // NaN (a rate not known yet) round-trips as the string "NaN"; unknown fields of older
    // entries are ignored.
    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                    .configure(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature(), true);

    private final Path dir;
    private final Options options;
    private final RocksDB db;

    private HistoryStore(Path dir, Options options, RocksDB db) {
        this.dir = dir;
        this.options = options;
        this.db = db;
    }

    /** Opens (or creates) the history in {@code dir}. */
    public static HistoryStore open(Path dir) {
        Options options = new Options().setCreateIfMissing(true);
        try {
            Files.createDirectories(dir);
            return new HistoryStore(dir, options, RocksDB.open(options, dir.toString()));
        } catch (IOException e) {
            options.close();
            throw new UncheckedIOException("cannot create the history folder " + dir, e);
        } catch (RocksDBException e) {
            options.close();
            throw new IllegalStateException(
                    "cannot open the monitor history in "
                            + dir
                            + " (is another monitor using it?): "
                            + e.getMessage(),
                    e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** Stores {@code snapshot} under its time (a later one with the same time replaces it). */
    public void append(Snapshot snapshot) {
        try {
            db.put(key(snapshot.time()), JSON.writeValueAsBytes(snapshot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RocksDBException e) {
            throw new IllegalStateException(
                    "cannot write the monitor history: " + e.getMessage(), e);
        }
    }

    /** The snapshots taken in {@code [fromMs, toMs]}, oldest first. */
    public List<Snapshot> range(long fromMs, long toMs) {
        List<Snapshot> out = new ArrayList<>();
        scan(fromMs, toMs, out::add);
        return out;
    }

    /**
     * Hands the snapshots taken in {@code [fromMs, toMs]} to {@code visitor}, oldest first, one at
     * a time: a range scan that starts at {@code fromMs} and stops after {@code toMs}, so neither
     * older nor newer entries are read and nothing is collected.
     *
     * @return how many snapshots were visited
     */
    public long scan(long fromMs, long toMs, Consumer<Snapshot> visitor) {
        long visited = 0;
        try (ReadOptions options = new ReadOptions();
                Slice upper = new Slice(key(toMs == Long.MAX_VALUE ? toMs : toMs + 1))) {
            if (toMs != Long.MAX_VALUE) {
                options.setIterateUpperBound(upper);
            }
            try (RocksIterator it = db.newIterator(options)) {
                for (it.seek(key(Math.max(0, fromMs))); it.isValid(); it.next()) {
                    if (time(it.key()) > toMs) {
                        break;
                    }
                    visitor.accept(decode(it.value()));
                    visited++;
                }
            }
        }
        return visited;
    }

    /**
     * How many snapshots were taken in {@code [fromMs, toMs]}: a range scan of the keys that
     * decodes no snapshot.
     */
    public long count(long fromMs, long toMs) {
        long n = 0;
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(key(Math.max(0, fromMs))); it.isValid(); it.next()) {
                if (time(it.key()) > toMs) {
                    break;
                }
                n++;
            }
        }
        return n;
    }

    /** The newest {@code count} snapshots, oldest first. */
    public List<Snapshot> latest(int count) {
        List<Snapshot> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToLast(); it.isValid() && out.size() < count; it.prev()) {
                out.add(decode(it.value()));
            }
        }
        Collections.reverse(out);
        return out;
    }

    /** Deletes every snapshot older than {@code beforeMs}. */
    public void deleteBefore(long beforeMs) {
        try {
            db.deleteRange(key(0), key(Math.max(0, beforeMs)));
        } catch (RocksDBException e) {
            throw new IllegalStateException(
                    "cannot prune the monitor history: " + e.getMessage(), e);
        }
    }

    private static Snapshot decode(byte[] value) {
        try {
            return JSON.readValue(value, Snapshot.class);
        } catch (IOException e) {
            throw new UncheckedIOException("a history entry does not decode", e);
        }
    }

    static byte[] key(long timeMs) {
        return ByteBuffer.allocate(Long.BYTES).putLong(timeMs).array();
    }

    static long time(byte[] key) {
        return ByteBuffer.wrap(key).getLong();
    }

    @Override
    public void close() {
        db.close();
        options.close();
    }
}
