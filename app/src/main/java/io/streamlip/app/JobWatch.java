package io.streamlip.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlip.platform.bounds.BoundedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobCancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches running Flink jobs that are meant to run until cancelled: every poll interval it reads
 * each job's status ({@link JobClient#getJobStatus()}) and, through the cluster's REST API, its
 * {@code numRestarts} metric and exception history. A job that fails, restarts or ends on its own
 * is a failure: logged at ERROR at once (job name and the root cause's first line, capped) and
 * handed to the failure listener, once per watch.
 *
 * <p>Thread-safe: polls run on one daemon thread; {@link #failure()} and {@link #reports()} may be
 * read from any thread.
 */
final class JobWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobWatch.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final int CAUSE_POLLS = 10;
    private static final long CAUSE_POLL_MILLIS = 500;

    /**
     * What became of one job.
     *
     * @param name the job's name
     * @param id its Flink job id
     * @param state its latest known state ({@code RUNNING}, {@code RESTARTING}, {@code CANCELED},
     *     {@code FAILED}, ...)
     * @param restarts restarts counted so far ({@code numRestarts}, or failures in its exception
     *     history when the metric is not yet known)
     * @param failure why it failed or restarted (root cause's first line, capped), or null
     */
    record JobReport(String name, String id, String state, long restarts, String failure) {}

    private final class Watched {
        final String name;
        final JobClient client;
        final FlinkRestClient rest;
        volatile String state = JobStatus.INITIALIZING.name();
        volatile long restarts;
        volatile String failure;

        Watched(String name, JobClient client, FlinkRestClient rest) {
            this.name = name;
            this.client = client;
            this.rest = rest;
        }

        String id() {
            return client.getJobID().toString();
        }

        JobReport report() {
            return new JobReport(name, id(), state, restarts, failure);
        }
    }

    private final List<Watched> jobs = new ArrayList<>();
    private final Consumer<String> onFailure;
    private final ScheduledExecutorService poller;
    private volatile String failure;
    private volatile boolean stopping;

    /**
     * @param interval time between polls
     * @param onFailure told once, on the poller thread, the one-line reason of the first failure
     */
    JobWatch(Duration interval, Consumer<String> onFailure) {
        this.onFailure = onFailure;
        this.poller =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "job-watch");
                            t.setDaemon(true);
                            return t;
                        });
        poller.scheduleWithFixedDelay(
                this::pollAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Watches {@code job} from the next poll on.
     *
     * @param rest the REST API of the job's cluster, for restarts and exceptions; null to watch the
     *     status alone
     */
    synchronized void watch(String name, JobClient job, FlinkRestClient rest) {
        jobs.add(new Watched(name, job, rest));
    }

    /** The one-line reason of the first failure seen, if any. */
    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Polls once more now (the last restart count and state before the caller cancels the jobs),
     * then stops polling: what follows, e.g. the cancellation, is not a failure.
     */
    void finalPoll() {
        try {
            poller.submit(this::pollAll).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("last poll of the jobs failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopping = true;
        poller.shutdown();
    }

    /**
     * Each job's report; call after the jobs were cancelled (or ended) to get their final states
     * (waits up to {@code timeout} per job for the state to settle).
     */
    synchronized List<JobReport> reports(Duration timeout) {
        List<JobReport> out = new ArrayList<>();
        for (Watched w : jobs) {
            settle(w, timeout);
            out.add(w.report());
        }
        return out;
    }

    @Override
    public void close() {
        stopping = true;
        poller.shutdownNow();
    }

    private synchronized void pollAll() {
        for (Watched w : jobs) {
            try {
                poll(w);
            } catch (RuntimeException e) {
                LOG.debug("polling job {} failed: {}", w.name, e.toString());
            }
        }
    }

    private void poll(Watched w) {
        JobStatus status = status(w);
        if (status != null) {
            w.state = status.name();
        }
        if (status == JobStatus.RESTARTING) {
            // A restart under way counts before numRestarts shows it.
            w.restarts = Math.max(w.restarts, 1);
        }
        String cause = null;
        if (w.rest != null) {
            JsonNode exceptions = get(w, "jobs/" + w.id() + "/exceptions?maxExceptions=1");
            cause = exceptions == null ? null : rootCause(exceptions);
            long fromHistory = exceptions == null ? 0 : historySize(exceptions);
            // Every failure the job restarts for enters its exception history, so an empty history
            // means no restart. The count itself comes from the numRestarts metric, asked for
            // only then: a metric request makes the cluster collect and ship every metric of the
            // job (hundreds of Kafka client gauges), which every second took CPU from the trainer.
            long fromMetric = fromHistory > 0 || w.restarts > 0 ? numRestarts(w) : 0;
            w.restarts = Math.max(w.restarts, Math.max(fromMetric, fromHistory));
        }
        if (status == null && w.client.getJobExecutionResult().isDone()) {
            // The per-job cluster is gone with the job: its result says how it ended.
            Ended ended = ended(w.client.getJobExecutionResult());
            w.state = ended.state().name();
            if (cause == null) {
                cause = ended.cause();
            }
            status = ended.state();
        }
        if (stopping) {
            return;
        }
        String problem = problem(status, w.restarts);
        if (problem != null) {
            if (cause == null && w.rest != null) {
                cause = awaitCause(w);
            }
            fail(w, problem, cause);
        }
    }

    /**
     * What is wrong with a job meant to run until cancelled in {@code status} after {@code
     * restarts} restarts, or null when nothing is.
     */
    static String problem(JobStatus status, long restarts) {
        if (status == JobStatus.FAILING || status == JobStatus.FAILED) {
            return "failed";
        }
        if (status == JobStatus.RESTARTING || restarts > 0) {
            return "restarted" + (restarts > 0 ? " (" + restarts + "x)" : "");
        }
        if (status != null && status.isTerminalState()) {
            return "ended on its own (" + status + ")";
        }
        return null;
    }

    private void fail(Watched w, String problem, String cause) {
        if (w.failure == null) {
            w.failure = BoundedText.detail(cause == null ? problem : cause);
        } else if (cause != null) {
            w.failure = BoundedText.detail(cause);
        }
        if (failure != null) {
            return;
        }
        String reason =
                BoundedText.cap(
                        "Flink job '"
                                + w.name
                                + "' "
                                + problem
                                + (cause == null ? "" : ": " + cause),
                        2 * BoundedText.MAX_DETAIL);
        failure = reason;
        LOG.error("{} (job {})", reason, w.id());
        onFailure.accept(reason);
    }

    /**
     * The root cause from the job's exception history, which the REST API shows a moment after the
     * status changed; null when it does not within a few seconds.
     */
    private String awaitCause(Watched w) {
        for (int i = 0; i < CAUSE_POLLS; i++) {
            try {
                Thread.sleep(CAUSE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            JsonNode exceptions = get(w, "jobs/" + w.id() + "/exceptions?maxExceptions=1");
            String cause = exceptions == null ? null : rootCause(exceptions);
            if (cause != null) {
                w.restarts =
                        Math.max(w.restarts, Math.max(historySize(exceptions), numRestarts(w)));
                return cause;
            }
        }
        return null;
    }

    private JobStatus status(Watched w) {
        try {
            return w.client.getJobStatus().get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // A per-job MiniCluster shuts down as its job ends; its status is then unknown here.
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private long numRestarts(Watched w) {
        JsonNode metrics = get(w, "jobs/" + w.id() + "/metrics?get=numRestarts");
        if (metrics != null) {
            for (JsonNode m : metrics) {
                if ("numRestarts".equals(m.path("id").asText())) {
                    return m.path("value").asLong(0);
                }
            }
        }
        return 0;
    }

    private JsonNode get(Watched w, String path) {
        try {
            return w.rest.get(path);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debug("GET {} failed: {}", path, e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static long historySize(JsonNode exceptions) {
        return exceptions.path("exceptionHistory").path("entries").size();
    }

    /** The root cause's first line from {@code GET /jobs/:id/exceptions}, or null. */
    static String rootCause(JsonNode exceptions) {
        JsonNode entries = exceptions.path("exceptionHistory").path("entries");
        String trace =
                entries.size() > 0
                        ? entries.get(0).path("stacktrace").asText(null)
                        : exceptions.path("root-exception").asText(null);
        return trace == null || trace.isBlank() ? null : rootCauseLine(trace);
    }

    /**
     * The first line of the innermost cause of a Java stack trace as text: the last {@code Caused
     * by:} line, else the first line, capped.
     */
    static String rootCauseLine(String trace) {
        String line = null;
        for (String l : trace.lines().toList()) {
            String s = l.strip();
            if (line == null && !s.isEmpty()) {
                line = s;
            }
            if (s.startsWith("Caused by: ")) {
                line = s.substring("Caused by: ".length());
            }
        }
        return line == null ? null : BoundedText.detail(line);
    }

    private record Ended(JobStatus state, String cause) {}

    private static Ended ended(CompletableFuture<?> result) {
        try {
            result.getNow(null);
            return new Ended(JobStatus.FINISHED, null);
        } catch (java.util.concurrent.CompletionException
                | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof JobCancellationException) {
                    return new Ended(JobStatus.CANCELED, null);
                }
            }
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return new Ended(
                    JobStatus.FAILED,
                    BoundedText.detail(root.toString().lines().findFirst().orElse("")));
        }
    }

    private void settle(Watched w, Duration timeout) {
        CompletableFuture<?> result = w.client.getJobExecutionResult();
        try {
            result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("job {} ended: {}", w.name, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (result.isDone()) {
            Ended ended = ended(result);
            w.state = ended.state().name();
            if (w.failure == null && ended.cause() != null) {
                w.failure = ended.cause();
            }
        }
    }
}
