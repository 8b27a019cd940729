package io.streamlip.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.io.FileUtils;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The part of the shuffle buffer that does not fit on the heap: a scratch RocksDB store in a fresh
 * folder (deleted on close), keyed by 8 random bytes and a sequence number. Taking one means
 * seeking to a random key and taking the first entry at or after it (wrapping around): keys are
 * random, so the entry taken is independent of arrival order. Nothing here needs to survive a crash
 * (a restarted trainer reads the buffered records from Kafka again), so writes skip the write-ahead
 * log. Not thread-safe.
 */
final class SpillStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final Path folder;
    private final Options options;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private long sequence;
    private long size;

    SpillStore(Path parent) {
        try {
            if (parent == null) {
                folder = Files.createTempDirectory("streamlip-shuffle-");
            } else {
                Files.createDirectories(parent);
                folder = Files.createTempDirectory(parent, "shuffle-");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the shuffle buffer's spill folder", e);
        }
        options =
                new Options()
                        .setCreateIfMissing(true)
                        .setCompressionType(CompressionType.NO_COMPRESSION);
        writeOptions = new WriteOptions().setDisableWAL(true);
        try {
            db = RocksDB.open(options, folder.toString());
        } catch (RocksDBException e) {
            writeOptions.close();
            options.close();
            throw new IllegalStateException("cannot open the spill store in " + folder, e);
        }
    }

    Path folder() {
        return folder;
    }

    long size() {
        return size;
    }

    void put(byte[] value, StreamRandom random) {
        byte[] key = ByteBuffer.allocate(16).putLong(random.nextLong()).putLong(sequence++).array();
        try {
            db.put(writeOptions, key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot spill to " + folder, e);
        }
        size++;
    }

    /** Removes and returns a random entry; the store must not be empty. */
    byte[] take(StreamRandom random) {
        if (size == 0) {
            throw new IllegalStateException("the spill store is empty");
        }
        byte[] target = ByteBuffer.allocate(8).putLong(random.nextLong()).array();
        try (RocksIterator it = db.newIterator()) {
            it.seek(target);
            if (!it.isValid()) {
                it.seekToFirst();
            }
            if (!it.isValid()) {
                it.status();
                throw new IllegalStateException("spill store lost " + size + " entries");
            }
            byte[] key = it.key();
            byte[] value = it.value();
            db.delete(writeOptions, key);
            size--;
            return value;
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read the spill store in " + folder, e);
        }
    }

    @Override
    public void close() {
        db.close();
        writeOptions.close();
        options.close();
        FileUtils.deleteQuietly(folder.toFile());
    }
}
