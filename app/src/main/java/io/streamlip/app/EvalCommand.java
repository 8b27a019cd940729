package io.streamlip.app;

import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamlip eval --checkpoint DIR --set DIR [--json]}. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluate a checkpoint on an evaluation set (a folder with images and a pairs.jsonl):"
                    + " image->text and text->image recall@1/5/10 and zero-shot classification"
                    + " accuracy, per language and overall. A captioner checkpoint is scored by"
                    + " the captions it writes: exact match and BLEU-4 per language (and"
                    + " retrieval too when trained with --caption-contrastive).",
            ""
        })
final class EvalCommand implements Callable<Integer> {

    @Option(
            names = "--checkpoint",
            required = true,
            paramLabel = "DIR",
            description = "A checkpoint folder written by the trainer.")
    Path checkpoint;

    @Option(
            names = "--set",
            required = true,
            paramLabel = "DIR",
            description = "Evaluation set: images plus pairs.jsonl with image, text, lang, class.")
    Path set;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @CommandLine.Mixin TokenizerOptions tokenizer;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!Files.isDirectory(checkpoint)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--checkpoint " + checkpoint + " is not a folder");
        }
        if (!Files.isDirectory(set)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--set " + set + " is not a folder");
        }
        // The checkpoint's own tokenizer unless one is given (for checkpoints written before
        // they carried their tokenizer.json); a given one must be the same version.
        int context =
                CheckpointStore.readState(CheckpointStore.resolve(checkpoint))
                        .model()
                        .contextLength();
        EvalReport report =
                tokenizer
                        .given(context)
                        .map(t -> Evaluator.evaluate(checkpoint, set, t))
                        .orElseGet(() -> Evaluator.evaluate(checkpoint, set));
        var out = spec.commandLine().getOut();
        out.println(json ? report.toJson() : report.toTable());
        out.flush();
        return 0;
    }
}
