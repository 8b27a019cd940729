package io.streamlip.filter.fetch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Per-host slots without blocking a thread: at most {@code perHost} permits of one host out at
 * once, and (with a rate) successive permits of one host at least {@code 1 / rate} seconds apart.
 * {@link #acquire} answers a future that completes when the host has a slot; a caller that gives up
 * cancels it and the slot goes to the next waiter. Waiters are served first come, first served. A
 * host's entry is dropped once it has nothing out, nobody waiting and no rate pause pending, so the
 * map holds only the hosts in use (at most the fetcher's in-flight requests).
 *
 * <p>A limiter belongs to one parallel task of a stage keyed by host ({@link HostShare}). A host
 * the task owns gets the whole limits; a host it does not own (a redirect's target, or a record
 * restored into this task after a rescale) gets only this task's share of them, {@link
 * HostShare#slots} and the rate divided by the parallelism, so that the tasks that do not own a
 * host together stay within about one limit's worth beside its owner.
 */
public final class HostLimiter {
    private final int perHost;
    private final long intervalNanos;
    private final HostShare share;
    private final ScheduledExecutorService timers;
    private final Map<String, Host> hosts = new HashMap<>();

    /** A host's slot; {@link #release} gives it back (twice is once). */
    public interface Permit {
        void release();
    }

    /**
     * Which hosts a task owns, and how many tasks share a host's limits.
     *
     * @param owns whether this task owns a host (all of one host's keyed records reach it)
     * @param parallelism the tasks of the stage; the share of a host not owned is {@code 1 /
     *     parallelism} of its limits, at least one slot
     */
    public record HostShare(Predicate<String> owns, int parallelism) {
        /** One task that owns every host (no partitioning by host). */
        public static final HostShare ALL = new HostShare(host -> true, 1);

        public HostShare {
            if (parallelism < 1) {
                throw new IllegalArgumentException(
                        "parallelism must be positive, got " + parallelism);
            }
        }

        /** The slots a task that does not own a host takes of it: {@code perHost / p}, >= 1. */
        public static int slots(int perHost, int parallelism) {
            return Math.max(1, perHost / parallelism);
        }
    }

    /**
     * A limiter that owns every host.
     *
     * @param perHost most permits of one host out at once
     * @param ratePerSecond most permits of one host a second; 0 for no rate limit
     * @param timers runs the delayed hand-outs of a rate-limited host
     */
    public HostLimiter(int perHost, double ratePerSecond, ScheduledExecutorService timers) {
        this(perHost, ratePerSecond, HostShare.ALL, timers);
    }

    /**
     * @param share the hosts owned (whole limits) and the share of the others
     */
    public HostLimiter(
            int perHost, double ratePerSecond, HostShare share, ScheduledExecutorService timers) {
        if (perHost < 1) {
            throw new IllegalArgumentException("perHost must be positive, got " + perHost);
        }
        this.perHost = perHost;
        this.intervalNanos = ratePerSecond > 0 ? (long) (1e9 / ratePerSecond) : 0;
        this.share = share;
        this.timers = timers;
    }

    private static final class Host {
        final int limit;
        final long intervalNanos;
        int out;
        long nextStartNanos;
        boolean wakeScheduled;
        final ArrayDeque<CompletableFuture<Permit>> waiting = new ArrayDeque<>();

        Host(int limit, long intervalNanos) {
            this.limit = limit;
            this.intervalNanos = intervalNanos;
        }
    }

    private Host newHost(String host) {
        if (share.owns().test(host)) {
            return new Host(perHost, intervalNanos);
        }
        int p = share.parallelism();
        return new Host(HostShare.slots(perHost, p), intervalNanos * p);
    }

    /** Whether {@code host} gets the whole limits here (else this task's share). */
    public boolean owns(String host) {
        return share.owns().test(host);
    }

    /** A slot at {@code host}, now or when one frees up. */
    public CompletableFuture<Permit> acquire(String host) {
        CompletableFuture<Permit> slot = new CompletableFuture<>();
        synchronized (this) {
            hosts.computeIfAbsent(host, this::newHost).waiting.add(slot);
        }
        dispatch(host);
        return slot;
    }

    /** How many hosts have an entry (for tests: entries are dropped when idle). */
    public synchronized int hostsTracked() {
        return hosts.size();
    }

    /** Hands out what {@code host} can give now; completes the futures outside the lock. */
    private void dispatch(String host) {
        List<CompletableFuture<Permit>> granted = new ArrayList<>();
        synchronized (this) {
            Host h = hosts.get(host);
            if (h == null) {
                return;
            }
            while (!h.waiting.isEmpty() && h.out < h.limit) {
                if (h.waiting.peek().isDone()) { // cancelled by a caller that gave up
                    h.waiting.poll();
                    continue;
                }
                long now = System.nanoTime();
                if (h.intervalNanos > 0 && now - h.nextStartNanos < 0) {
                    if (!h.wakeScheduled) {
                        h.wakeScheduled = true;
                        timers.schedule(
                                () -> wake(host), h.nextStartNanos - now, TimeUnit.NANOSECONDS);
                    }
                    break;
                }
                h.out++;
                h.nextStartNanos = Math.max(now, h.nextStartNanos) + h.intervalNanos;
                granted.add(h.waiting.poll());
            }
            dropIfIdle(host, h);
        }
        for (CompletableFuture<Permit> slot : granted) {
            AtomicBoolean released = new AtomicBoolean();
            Permit permit =
                    () -> {
                        if (released.compareAndSet(false, true)) {
                            release(host);
                        }
                    };
            if (!slot.complete(permit)) {
                permit.release(); // cancelled meanwhile: the slot goes to the next one
            }
        }
    }

    private void wake(String host) {
        synchronized (this) {
            Host h = hosts.get(host);
            if (h != null) {
                h.wakeScheduled = false;
            }
        }
        dispatch(host);
    }

    private void release(String host) {
        synchronized (this) {
            Host h = hosts.get(host);
            if (h != null) {
                h.out--;
            }
        }
        dispatch(host);
    }

    private void dropIfIdle(String host, Host h) {
        if (h.out > 0 || !h.waiting.isEmpty() || h.wakeScheduled) {
            return;
        }
        long wait = h.nextStartNanos - System.nanoTime();
        if (wait <= 0) {
            hosts.remove(host);
        } else {
            // Keep the pause until it has passed, then come back to drop the entry.
            h.wakeScheduled = true;
            timers.schedule(() -> wake(host), wait, TimeUnit.NANOSECONDS);
        }
    }
}
