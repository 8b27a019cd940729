package io.streamlip.sinks.shards;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file written through a buffer whose contents can be made durable at a point ({@link #sync}) and
 * later cut back to it ({@link #resume}): the building block of the shard formats.
 */
public final class SyncedFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final OutputStream out;

    private SyncedFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
    }

    /** A new empty file (an existing one is truncated). */
    public static SyncedFile create(Path path) throws IOException {
        return new SyncedFile(
                path,
                FileChannel.open(
                        path,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING));
    }

    /**
     * {@code path} cut back to {@code validLength}, positioned at its end.
     *
     * @throws IOException when the file is missing or shorter than {@code validLength} (it is not
     *     the file that was synced)
     */
    public static SyncedFile resume(Path path, long validLength) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("cannot continue shard " + path + ": the file is gone");
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            if (size < validLength) {
                throw new IOException(
                        "cannot continue shard "
                                + path
                                + ": it holds "
                                + size
                                + " bytes, fewer than the "
                                + validLength
                                + " synced");
            }
            channel.truncate(validLength);
            channel.position(validLength);
            return new SyncedFile(path, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Where writes go (buffered); closing it closes the file. */
    public OutputStream stream() {
        return out;
    }

    /** Flushes the buffer, forces the bytes to the device and returns the file's length. */
    public long sync() throws IOException {
        out.flush();
        channel.force(false);
        return channel.size();
    }

    /** Closes without flushing what is still buffered. */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
