package io.streamlip.sinks.shards;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink sink (Sink V2, two-phase commit) that writes fixed-size shards in any {@link
 * ShardFormat}, exactly once: a reader of the folder sees only complete shards holding the records
 * of completed checkpoints, each exactly once, however often the job fails and restarts. Shards
 * fill under hidden names ({@link ShardNames}) and are renamed when their checkpoint completes; a
 * record the format refuses is counted in {@value #UNWRITABLE_METRIC} and skipped, I/O errors fail
 * the job. Writer {@code i} of {@code p} numbers its shards {@code i, i+p, ...}, so list or glob
 * the folder. The folder must look the same from every TaskManager. How commits, restarts and
 * leftovers work: docs/decisions/sharded-file-sink.md.
 *
 * @param <T> the records written
 */
public final class ShardedFileSink<T>
        implements Sink<T>,
                SupportsCommitter<ShardedFileSink.Committable>,
                SupportsWriterState<T, ShardedFileSink.WriterState> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ShardedFileSink.class);

    /** The writer metric counting records the format could not write (skipped). */
    public static final String UNWRITABLE_METRIC = "numRecordsUnwritable";

    private final ShardFormat<T> format;
    private final ShardConfig config;

    public ShardedFileSink(ShardFormat<T> format, ShardConfig config) {
        this.format = Objects.requireNonNull(format, "format");
        this.config = Objects.requireNonNull(config, "config");
    }

    public ShardConfig config() {
        return config;
    }

    /**
     * A complete shard waiting for its checkpoint to commit: rename {@code temp} to {@code target}.
     */
    public record Committable(String temp, String target, int records) {}

    /** The shard a writer had open at a checkpoint. */
    public record WriterState(long number, long validLength, int records) {}

    @Override
    public StatefulSinkWriter<T, WriterState> createWriter(WriterInitContext context)
            throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<T, WriterState> restoreWriter(
            WriterInitContext context, Collection<WriterState> states) throws IOException {
        int index = context.getTaskInfo().getIndexOfThisSubtask();
        int count = context.getTaskInfo().getNumberOfParallelSubtasks();
        ShardRoller<T> roller = new ShardRoller<>(format, config, index, count);
        try {
            // After a change of parallelism a writer may get several open shards back: it ends all
            // but one early (they are committed shorter) and keeps filling the last.
            List<WriterState> list = new ArrayList<>(states);
            for (int i = 0; i < list.size(); i++) {
                WriterState s = list.get(i);
                roller.resume(new ShardRoller.OpenShard(s.number(), s.validLength(), s.records()));
                if (i < list.size() - 1) {
                    roller.completeOpen();
                }
            }
        } catch (IOException | RuntimeException e) {
            roller.close();
            throw e;
        }
        return new Writer<>(roller, context.metricGroup().counter(UNWRITABLE_METRIC));
    }

    @Override
    public Committer<Committable> createCommitter(CommitterInitContext context) {
        return new RenameCommitter();
    }

    @Override
    public SimpleVersionedSerializer<Committable> getCommittableSerializer() {
        return new CommittableSerializer();
    }

    @Override
    public SimpleVersionedSerializer<WriterState> getWriterStateSerializer() {
        return new WriterStateSerializer();
    }

    static final class Writer<T>
            implements StatefulSinkWriter<T, WriterState>, CommittingSinkWriter<T, Committable> {
        private final ShardRoller<T> roller;
        private final Counter unwritable;

        Writer(ShardRoller<T> roller, Counter unwritable) {
            this.roller = roller;
            this.unwritable = unwritable;
        }

        @Override
        public void write(T element, Context context) throws IOException {
            try {
                roller.write(element);
            } catch (RuntimeException e) {
                unwritable.inc();
                LOG.warn(
                        "skipped a record the shard format cannot write ({} so far): {}",
                        unwritable.getCount(),
                        e.toString());
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            if (endOfInput) {
                roller.completeOpen();
            }
        }

        @Override
        public Collection<Committable> prepareCommit() {
            List<Committable> out = new ArrayList<>();
            for (ShardRoller.Completed c : roller.takeCompleted()) {
                out.add(new Committable(c.temp().toString(), c.target().toString(), c.records()));
            }
            return out;
        }

        @Override
        public List<WriterState> snapshotState(long checkpointId) throws IOException {
            ShardRoller.OpenShard open = roller.openShard();
            return open == null
                    ? List.of()
                    : List.of(new WriterState(open.number(), open.validLength(), open.records()));
        }

        @Override
        public void close() throws IOException {
            roller.close();
        }
    }

    /** Renames each committed shard into place; a repeated commit is a no-op. */
    static final class RenameCommitter implements Committer<Committable> {
        @Override
        public void commit(Collection<CommitRequest<Committable>> requests) throws IOException {
            for (CommitRequest<Committable> request : requests) {
                Committable c = request.getCommittable();
                Path temp = Path.of(c.temp());
                Path target = Path.of(c.target());
                if (Files.exists(temp)) {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                    LOG.debug("committed shard {} ({} records)", target, c.records());
                } else if (Files.exists(target)) {
                    request.signalAlreadyCommitted();
                } else {
                    request.signalFailedWithKnownReason(
                            new IOException(
                                    "shard "
                                            + target
                                            + " is lost: neither it nor its temporary file "
                                            + temp
                                            + " exists"));
                }
            }
        }

        @Override
        public void close() {}
    }

    static final class CommittableSerializer implements SimpleVersionedSerializer<Committable> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Committable c) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeUTF(c.temp());
                out.writeUTF(c.target());
                out.writeInt(c.records());
            }
            return bytes.toByteArray();
        }

        @Override
        public Committable deserialize(int version, byte[] serialized) throws IOException {
            checkVersion(version);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                return new Committable(in.readUTF(), in.readUTF(), in.readInt());
            }
        }
    }

    static final class WriterStateSerializer implements SimpleVersionedSerializer<WriterState> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(WriterState s) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeLong(s.number());
                out.writeLong(s.validLength());
                out.writeInt(s.records());
            }
            return bytes.toByteArray();
        }

        @Override
        public WriterState deserialize(int version, byte[] serialized) throws IOException {
            checkVersion(version);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                return new WriterState(in.readLong(), in.readLong(), in.readInt());
            }
        }
    }

    private static void checkVersion(int version) throws IOException {
        if (version != 1) {
            throw new IOException("unknown serializer version " + version);
        }
    }
}
