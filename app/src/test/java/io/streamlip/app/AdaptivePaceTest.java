package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * The demo's adaptive import pace: its rule on single readings, then closed loops against a
 * simulated pipeline (exactly-once commits every 2 s, a tenth of the pairs refused) and trainers a
 * hundredfold apart, and against a curation slower than the trainer.
 */
class AdaptivePaceTest {
    private static final Duration COMMITS = Duration.ofSeconds(2);
    private static final long S = 1_000_000_000L;

    @Test
    void theLeadGoesAtOnceAndNothingMoreWithoutReadings() {
        AdaptivePace pace = new AdaptivePace(128, COMMITS);
        int lead = AdaptivePace.LEAD_BATCHES * 128;
        pace.await(lead - 1, () -> true); // may go: returns at once
        assertThatThrownBy(() -> pace.await(lead, () -> true))
                .isInstanceOf(CancellationException.class);
    }

    @Test
    void atTheLeadItSendsWhatTheTrainerTakesAndMoreWhenItStarves() {
        AdaptivePace pace = new AdaptivePace(128, COMMITS);
        // A commit interval's worth of the trainer's examples and a batch.
        int lead = 250 * 2 + 128;
        // 250 examples/s trained, the queue at the lead, 9 pairs in 10 become examples.
        for (int i = 0; i <= 50; i++) {
            pace.observe(i * S / 5, lead, 250L * i / 5, 0.9, 0);
        }
        assertThat(pace.trainerRate()).isCloseTo(250, offset(1.0));
        assertThat(pace.lead()).isCloseTo(lead, offset(1.0));
        assertThat(pace.rate()).isCloseTo(250 / 0.9, offset(2.0));
        // The queue empty: twice that; at twice the lead: nothing.
        // (the queue is averaged over a commit interval: 2 s of readings)
        for (int i = 51; i <= 65; i++) {
            pace.observe(i * S / 5, 0, 250L * i / 5, 0.9, 0);
        }
        assertThat(pace.rate()).isCloseTo(500 / 0.9, offset(4.0));
        for (int i = 66; i <= 80; i++) {
            pace.observe(i * S / 5, 2 * lead, 250L * i / 5, 0.9, 0);
        }
        assertThat(pace.rate()).isZero();
        // Too many pairs in the jobs: nothing either, whatever the queue.
        pace.observe(81 * S / 5, 0, 250L * 81 / 5, 0.9, 1_000_000);
        assertThat(pace.rate()).isZero();
    }

    @Test
    void beforeTheFirstStepALeadIsWaitingOrOnItsWayAndNothingMore() {
        AdaptivePace pace = new AdaptivePace(128, COMMITS);
        // The jobs are starting: nothing arrives, the lead is in the jobs.
        for (int i = 0; i <= 20; i++) {
            pace.observe(i * S / 5, 0, 0, 1, 256);
        }
        assertThat(pace.rate()).isZero();
        // The filter refused half of it: the other half goes.
        pace.observe(21 * S / 5, 0, 0, 0.5, 0);
        assertThat(pace.rate()).isPositive();
    }

    @Test
    void aPairGoesEveryFewSecondsWhileTheTrainerWorksThroughItsLead() {
        AdaptivePace pace = new AdaptivePace(128, COMMITS);
        int lead = AdaptivePace.LEAD_BATCHES * 128;
        assertThatThrownBy(() -> pace.await(lead, () -> true)) // the lead went
                .isInstanceOf(CancellationException.class);
        // A slow trainer with plenty waiting: the rate is 0, yet the topic must not look idle.
        long keepAlive = AdaptivePace.KEEP_ALIVE.toNanos();
        for (long t = 0; t < keepAlive; t += S / 5) {
            pace.observe(t, 10_000, 128, 1, 0);
        }
        assertThat(pace.rate()).isZero();
        assertThatThrownBy(() -> pace.await(lead, () -> true))
                .isInstanceOf(CancellationException.class);
        pace.observe(keepAlive + S / 5, 10_000, 128, 1, 0);
        pace.await(lead, () -> true); // one pair may go
        assertThatThrownBy(() -> pace.await(lead + 1, () -> true))
                .isInstanceOf(CancellationException.class);
    }

    @Test
    void theLeadCoversACommitIntervalOfAFastTrainer() {
        AdaptivePace pace = new AdaptivePace(1024, COMMITS);
        for (int i = 0; i <= 30; i++) {
            pace.observe(i * S / 5, 0, 25_000L * i / 5, 1, 0);
        }
        // 25,000 examples/s arrive 2 s at a time: the lead holds a commit's worth.
        assertThat(pace.lead()).isCloseTo(51_024, offset(500.0));
    }

    @Test
    void aCpuTrainerIsKeptBusyAndItsQueueShort() {
        Loop loop = new Loop(128, 250, 1e9, 0.9).run(120);
        assertThat(loop.busy(40, 120)).isGreaterThan(0.95);
        // About the lead (628) waits, not a backlog: a couple of seconds of training.
        assertThat(loop.meanLag(40, 120)).isLessThan(2 * 628);
        assertThat(loop.pace.starvedShare()).isLessThan(0.2);
    }

    @Test
    void aTrainerAHundredTimesFasterIsKeptBusyToo() {
        Loop loop = new Loop(1024, 25_000, 1e9, 0.9).run(120);
        assertThat(loop.busy(60, 120)).isGreaterThan(0.9);
        assertThat(loop.meanLag(60, 120)).isLessThan(2 * 51_024);
    }

    @Test
    void aSlowCurationDoesNotPileUpPairsBeforeTheFilter() {
        // Curation takes 100 pairs/s, the trainer could take 250 examples/s.
        Loop loop = new Loop(128, 250, 100, 0.9).run(120);
        // Pairs in the jobs stay within the lead and 10 s of the trainer's rate (with a
        // checkpoint's slack), where unpaced they would grow by the import's speed.
        assertThat(loop.maxInJobs(60, 120)).isLessThan((long) ((328 + 100 * 10 + 100 * 4) / 0.9));
        assertThat(loop.busy(60, 120)).isGreaterThan(0.3); // what curation lets through
    }

    /**
     * A 10 ms time-step model: the import sends what the pace allows; the filter takes pairs in
     * order at {@code curation} pairs/s; a pair's reject is visible at the next commit after the
     * filter, its example one commit later (filter, then tokenize); the trainer steps a batch in
     * {@code batch / capacity} s whenever a batch is visible.
     */
    private static final class Loop {
        final int batch;
        final double capacity;
        final double curation;
        final double share;
        final AdaptivePace pace;
        final Deque<double[]> beforeFilter = new ArrayDeque<>(); // {pairs}
        final Deque<double[]> toCommit = new ArrayDeque<>(); // {visibleAt s, examples, rejects}
        long sent;
        double filtered;
        double examplesVisible;
        double rejectsVisible;
        long trained;
        double stepEndsAt = -1;
        final double[] trainedAt = new double[200_000];
        final double[] lagAt = new double[200_000];
        final double[] inJobsAt = new double[200_000];

        Loop(int batch, double capacity, double curation, double share) {
            this.batch = batch;
            this.capacity = capacity;
            this.curation = curation;
            this.share = share;
            this.pace = new AdaptivePace(batch, COMMITS);
        }

        Loop run(int seconds) {
            double dt = 0.01;
            int ticks = (int) Math.round(seconds / dt);
            double budget = 0;
            for (int k = 0; k < ticks; k++) {
                double t = k * dt;
                // The import: as many pairs as the pace allows (sends are instant).
                long before = sent;
                while (sent - before < 100_000 && mayGo(sent)) {
                    sent++;
                }
                if (sent > before) {
                    beforeFilter.addLast(new double[] {sent - before});
                }
                // The filter, in order, at its rate; committed at the next checkpoint.
                budget = Math.min(budget + curation * dt, curation);
                double done = 0;
                while (!beforeFilter.isEmpty() && budget > 0) {
                    double[] head = beforeFilter.peekFirst();
                    double take = Math.min(head[0], budget);
                    head[0] -= take;
                    budget -= take;
                    done += take;
                    if (head[0] <= 1e-9) {
                        beforeFilter.removeFirst();
                    }
                }
                if (done > 0) {
                    filtered += done;
                    double commit = Math.ceil((t + 1e-9) / 2) * 2;
                    toCommit.addLast(new double[] {commit, done * share, done * (1 - share)});
                }
                for (double[] c : toCommit) {
                    if (c[2] > 0 && t >= c[0]) {
                        rejectsVisible += c[2];
                        c[2] = 0;
                    }
                }
                while (!toCommit.isEmpty() && t >= toCommit.peekFirst()[0] + 2) {
                    examplesVisible += toCommit.removeFirst()[1];
                }
                // The trainer.
                while (stepEndsAt >= 0 && t >= stepEndsAt) {
                    trained += batch;
                    stepEndsAt =
                            examplesVisible - trained >= batch ? stepEndsAt + batch / capacity : -1;
                }
                if (stepEndsAt < 0 && examplesVisible - trained >= batch) {
                    stepEndsAt = t + batch / capacity;
                }
                long lag = (long) (examplesVisible - trained);
                long inJobs = (long) (sent - examplesVisible - rejectsVisible);
                trainedAt[k] = trained;
                lagAt[k] = lag;
                inJobsAt[k] = inJobs;
                if (k % 20 == 0) {
                    double seen = examplesVisible + rejectsVisible;
                    pace.observe(
                            Math.round(t * S),
                            lag,
                            trained,
                            seen == 0 ? 1 : examplesVisible / seen,
                            inJobs);
                }
            }
            return this;
        }

        private boolean mayGo(long n) {
            try {
                pace.await(n, () -> true);
                return true;
            } catch (CancellationException e) {
                return false;
            }
        }

        double busy(int from, int to) {
            return (trainedAt[to * 100 - 1] - trainedAt[from * 100]) / (capacity * (to - from));
        }

        double meanLag(int from, int to) {
            double sum = 0;
            for (int k = from * 100; k < to * 100; k++) {
                sum += lagAt[k];
            }
            return sum / ((to - from) * 100);
        }

        long maxInJobs(int from, int to) {
            double max = 0;
            for (int k = from * 100; k < to * 100; k++) {
                max = Math.max(max, inJobsAt[k]);
            }
            return (long) max;
        }
    }
}
