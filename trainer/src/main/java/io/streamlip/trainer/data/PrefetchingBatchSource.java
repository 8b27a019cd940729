package io.streamlip.trainer.data;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads another source's batches on a thread of its own, up to {@code depth} batches ahead of the
 * trainer (plus the one being made), so that polling, decoding and assembling the next batch
 * overlap the current step. The batches are plain arrays: the trainer still makes its NDArrays on
 * its own thread.
 *
 * <p>What the trainer reads back describes only the batches it has taken: {@link #position()},
 * {@link #skipped()}, {@link #sampledOut()} and {@link #randomState()} are the inner source's as
 * each batch was made, so a checkpoint never covers an example still waiting here. Batches still
 * waiting when the source is closed were never trained; their records lie after that position.
 *
 * <p>The inner source must be {@link #seek}ed before the first {@link #next}, which starts the
 * thread; from then on only that thread touches it, and {@link #checkpointed} commits are handed to
 * it. {@link #close} stops the thread, makes the last commit on the calling thread and leaves the
 * inner source open. {@link #next} and the readers are for one thread, the trainer's.
 */
public final class PrefetchingBatchSource implements BatchSource {
    private static final Logger LOG = LoggerFactory.getLogger(PrefetchingBatchSource.class);

    /** The reading thread's name. */
    public static final String THREAD_NAME = "streamlip-prefetch";

    /** Longest the thread waits on the inner source or a full queue before it looks again. */
    static final Duration STEP_WAIT = Duration.ofMillis(100);

    /** Longest {@link #close} waits for the thread to finish its current read. */
    static final Duration JOIN_WAIT = Duration.ofSeconds(30);

    /** A batch with the inner source's state right after it was made. */
    private record Prefetched(
            TrainingBatch batch,
            StreamPosition position,
            long skipped,
            long sampledOut,
            long randomState) {}

    private final BatchSource inner;
    private final LongSupplier random;
    private final BlockingQueue<Prefetched> ready;
    private final AtomicReference<StreamPosition> toCommit = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;
    private Thread thread;
    private Prefetched taken;
    private boolean closed;

    /**
     * Prefetches up to {@code depth} batches of {@code inner}; {@code randomState} reads the state
     * of the generator the inner source draws from (its value as each batch was made is what {@link
     * #randomState()} returns).
     */
    public PrefetchingBatchSource(BatchSource inner, int depth, LongSupplier randomState) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1, got " + depth);
        }
        this.inner = inner;
        this.random = randomState;
        this.ready = new ArrayBlockingQueue<>(depth);
    }

    @Override
    public Optional<TrainingBatch> next(Duration wait) {
        if (closed) {
            throw new IllegalStateException("the prefetching source is closed");
        }
        if (thread == null) {
            start();
        }
        rethrow();
        Prefetched next;
        try {
            next = ready.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        if (next == null) {
            rethrow();
            return Optional.empty();
        }
        taken = next;
        return Optional.of(next.batch());
    }

    private void start() {
        // Until the first batch is taken, the readers report where the inner source stands now.
        taken =
                new Prefetched(
                        null,
                        inner.position(),
                        inner.skipped(),
                        inner.sampledOut(),
                        random.getAsLong());
        thread = new Thread(this::prefetch, THREAD_NAME);
        thread.setDaemon(true); // never keeps a JVM alive; close() stops it
        thread.start();
    }

    private void prefetch() {
        try {
            while (!stopping) {
                commitPending();
                long asked = System.nanoTime();
                Optional<TrainingBatch> batch = inner.next(STEP_WAIT);
                if (batch.isEmpty()) {
                    idle(asked); // a source that answers at once must not make this spin
                    continue;
                }
                Prefetched made =
                        new Prefetched(
                                batch.get(),
                                inner.position(),
                                inner.skipped(),
                                inner.sampledOut(),
                                random.getAsLong());
                while (!stopping && !ready.offer(made, STEP_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                    commitPending();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            LOG.error("reading batches failed: {}", t.toString());
        }
    }

    private static void idle(long askedNanos) throws InterruptedException {
        long left = STEP_WAIT.toNanos() - (System.nanoTime() - askedNanos);
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
        }
    }

    private void commitPending() {
        StreamPosition position = toCommit.getAndSet(null);
        if (position != null) {
            inner.checkpointed(position);
        }
    }

    private void rethrow() {
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("reading batches failed", t);
        }
    }

    @Override
    public void seek(StreamPosition position) {
        if (thread != null) {
            throw new IllegalStateException("seek before the first batch is read");
        }
        inner.seek(position);
    }

    /** Where reading stands once every batch taken so far is trained (not those waiting here). */
    @Override
    public StreamPosition position() {
        return taken == null ? inner.position() : taken.position();
    }

    /**
     * Hands the commit to the reading thread (the inner source may not be thread-safe); the newest
     * position wins, and {@link #close} makes the last one.
     */
    @Override
    public void checkpointed(StreamPosition position) {
        if (thread == null || (closed && !thread.isAlive())) {
            inner.checkpointed(position);
        } else {
            toCommit.set(position);
        }
    }

    @Override
    public void inputComplete(boolean complete) {
        inner.inputComplete(complete);
    }

    @Override
    public long skipped() {
        return taken == null ? inner.skipped() : taken.skipped();
    }

    @Override
    public long sampledOut() {
        return taken == null ? inner.sampledOut() : taken.sampledOut();
    }

    /** The generator's state as the latest batch taken was made (what a checkpoint stores). */
    public long randomState() {
        return taken == null ? random.getAsLong() : taken.randomState();
    }

    /** Batches made and waiting to be taken. */
    public int waiting() {
        return ready.size();
    }

    /**
     * Stops the reading thread (waiting for its current read), drops the batches it made that were
     * not taken, and makes the last commit handed over. The inner source stays open.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        if (thread != null) {
            try {
                thread.join(JOIN_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("the prefetch thread did not stop within {}", JOIN_WAIT);
                return; // it still owns the inner source: no commit from here
            }
        }
        ready.clear();
        commitPending();
    }
}
