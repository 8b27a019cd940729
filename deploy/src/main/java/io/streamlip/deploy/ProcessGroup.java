package io.streamlip.deploy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Every process a launcher or test started, so that all of them end together: {@link #close()}
 * stops them newest first, and a JVM shutdown hook does the same when the starter dies first (a
 * failed test run, Ctrl-C), so no broker or TaskManager outlives its owner.
 *
 * <p>A JVM that is SIGKILLed runs no hook; its children then keep running. The shell scripts keep
 * pid files for that case ({@code deploy/bin/stop-cluster.sh}).
 */
public final class ProcessGroup implements AutoCloseable {
    private final Deque<JavaProcess> processes = new ArrayDeque<>();
    private final Thread hook;

    public ProcessGroup() {
        hook = new Thread(this::stopAll, "streamlip-process-group-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Adds {@code process} to the group and returns it. */
    public synchronized JavaProcess add(JavaProcess process) {
        processes.push(process);
        return process;
    }

    /** Takes a process out of the group, e.g. after it has been killed on purpose. */
    public synchronized void remove(JavaProcess process) {
        processes.remove(process);
    }

    private void stopAll() {
        while (true) {
            JavaProcess next;
            synchronized (this) {
                next = processes.poll();
            }
            if (next == null) {
                return;
            }
            try {
                next.stop(Duration.ofSeconds(20));
            } catch (RuntimeException e) {
                next.kill();
            }
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook itself is running: nothing to remove
        }
    }
}
