package io.streamlip.sinks.webdataset;

import io.streamlip.sinks.shards.ShardFormat;
import io.streamlip.sinks.shards.ShardOutput;
import io.streamlip.sinks.shards.SyncedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.flink.util.function.SerializableFunction;

/**
 * WebDataset shards: tar files in which each sample is a run of adjacent members sharing a key,
 * {@code <key>.png|jpg}, {@code <key>.txt}, {@code <key>.json}, as the {@code webdataset} Python
 * package and open_clip read them.
 *
 * <p>The rules a reader relies on, and how they are kept:
 *
 * <ul>
 *   <li>A member's key is its name up to the first dot, its extension the rest: keys here are
 *       digits and one underscore, {@code <shard:06d>_<index:06d>} (like img2dataset's), so they
 *       hold no dot, are unique across every shard of the folder and sort in writing order. The
 *       record's own id goes into the JSON.
 *   <li>All members of a sample are adjacent (webdataset groups consecutive members by key).
 *   <li>POSIX ustar headers (PAX extensions only for what ustar cannot hold), regular files, mode
 *       0644, owner 0:0, 512-byte records and the two zero end-of-archive records: readable by
 *       Python's {@code tarfile}, GNU tar and commons-compress.
 * </ul>
 *
 * @param <T> the records written, turned into samples by the mapper
 */
public final class WebDatasetFormat<T> implements ShardFormat<T> {
    private static final long serialVersionUID = 1L;

    private final SerializableFunction<T, WebDatasetSample> toSample;

    public WebDatasetFormat(SerializableFunction<T, WebDatasetSample> toSample) {
        this.toSample = Objects.requireNonNull(toSample, "toSample");
    }

    /** The key of sample {@code index} of shard {@code shard}. */
    public static String key(long shard, int index) {
        return String.format("%06d_%06d", shard, index);
    }

    @Override
    public String extension() {
        return "tar";
    }

    @Override
    public ShardOutput<T> create(Path file, long number) throws IOException {
        return new Output<>(SyncedFile.create(file), number, 0, toSample);
    }

    @Override
    public ShardOutput<T> resume(Path file, long number, long validLength, int records)
            throws IOException {
        return new Output<>(SyncedFile.resume(file, validLength), number, records, toSample);
    }

    private static final class Output<T> implements ShardOutput<T> {
        private final SyncedFile file;
        private final TarArchiveOutputStream tar;
        private final long shard;
        private final Date modified = Date.from(Instant.now());
        private final SerializableFunction<T, WebDatasetSample> toSample;
        private int index;

        Output(
                SyncedFile file,
                long shard,
                int index,
                SerializableFunction<T, WebDatasetSample> toSample) {
            this.file = file;
            // Default block size: one 512-byte record per block, so the file ends on a record
            // boundary after every member and a synced length is a valid place to continue.
            this.tar = new TarArchiveOutputStream(file.stream(), StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            this.shard = shard;
            this.index = index;
            this.toSample = toSample;
        }

        @Override
        public void write(T record) throws IOException {
            // Everything that can fail on the record happens before the first member is written,
            // so a record that fails leaves the tar as it was.
            WebDatasetSample sample = toSample.apply(record);
            String key = key(shard, index);
            byte[] text = sample.text().getBytes(StandardCharsets.UTF_8);
            byte[] json =
                    sample.json() == null ? null : sample.json().getBytes(StandardCharsets.UTF_8);
            member(key + "." + sample.imageExtension(), sample.image());
            member(key + ".txt", text);
            if (json != null) {
                member(key + ".json", json);
            }
            index++;
        }

        private void member(String name, byte[] content) throws IOException {
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(content.length);
            entry.setMode(0100644);
            entry.setModTime(modified);
            entry.setUserId(0);
            entry.setGroupId(0);
            entry.setUserName("");
            entry.setGroupName("");
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }

        @Override
        public long sync() throws IOException {
            tar.flush();
            return file.sync();
        }

        @Override
        public void finish() throws IOException {
            tar.finish();
            tar.flush();
            file.sync();
            file.close();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
