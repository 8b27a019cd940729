package io.streamlip.trainer;

import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.eval.Evaluator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the model on the held-out set every {@code evalEvery} steps and at the end, unless the
 * last step was just evaluated: the model a run leaves behind always has an evaluation. Runs before
 * the {@link Checkpointer}, which stores each evaluation's summary in the checkpoint it writes.
 */
final class PeriodicEvaluation implements TrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final EvalSet set;
    private final int every;
    private long evaluatedStep = -1;

    PeriodicEvaluation(EvalSet set, int every) {
        this.set = set;
        this.every = every;
    }

    @Override
    public void onStep(TrainingRun run, StepEvent step) {
        if (step.step() % every == 0) {
            evaluate(run);
        }
    }

    @Override
    public void onEnd(TrainingRun run) {
        if (run.steps() > 0 && evaluatedStep != run.session().steps()) {
            evaluate(run);
        }
    }

    private void evaluate(TrainingRun run) {
        TrainingSession session = run.session();
        EvalReport report = Evaluator.evaluate(session, set);
        LOG.info("evaluation at step {}:\n{}", session.steps(), report.toTable());
        evaluatedStep = session.steps();
        run.evaluated(report);
    }
}
