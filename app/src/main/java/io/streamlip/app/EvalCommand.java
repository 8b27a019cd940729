package io.streamlip.app;

import io.streamlip.tokenize.TokenizeJob;
import io.streamlip.tokenize.render.BitmapFont;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.Evaluator;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamlip eval --checkpoint DIR --set DIR [--render-font FILE] [--json]}. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluate a checkpoint on an evaluation set (a folder with images and a pairs.jsonl):"
                    + " image->text and text->image recall@1/5/10 and zero-shot classification"
                    + " accuracy, per language and overall. A captioner checkpoint is scored by"
                    + " the captions it writes: exact match and BLEU-4 per language (and"
                    + " retrieval too when trained with --caption-contrastive). A CLIPPO"
                    + " checkpoint renders the set's texts as its run did, with the font it"
                    + " keeps (or --render-font).",
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

    @Option(
            names = "--render-font",
            paramLabel = "FILE",
            description =
                    "CLIPPO: the GNU Unifont .hex or .hex.gz file to render the set's texts"
                            + " with, for a checkpoint written without its font (a run without"
                            + " --eval-set and without a font found); used with the"
                            + " checkpoint's rendering settings, else the tokenize job's"
                            + " defaults (default: the checkpoint's copy, else"
                            + " $STREAMLIP_FONT, else /usr/share/unifont/unifont.hex).")
    Path renderFont;

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
        Path resolved = CheckpointStore.resolve(checkpoint);
        ModelConfig model = CheckpointStore.readState(resolved).model();
        ClippoRendering rendering = rendering(resolved, model);
        // The checkpoint's own tokenizer unless one is given (for checkpoints written before
        // they carried their tokenizer.json); a given one must be the same version.
        int context = model.contextLength();
        EvalReport report =
                rendering != null
                        ? Evaluator.evaluateRendered(resolved, set, rendering)
                        : tokenizer
                                .given(context)
                                .map(t -> Evaluator.evaluate(checkpoint, set, t))
                                .orElseGet(() -> Evaluator.evaluate(checkpoint, set));
        var out = spec.commandLine().getOut();
        out.println(json ? report.toJson() : report.toTable());
        out.flush();
        return 0;
    }

    /**
     * A CLIPPO checkpoint's rendering with {@code --render-font}, or with the font {@link
     * BitmapFont#locate} finds when the checkpoint keeps none; null to use the checkpoint's own
     * (and for the other families).
     */
    private ClippoRendering rendering(Path resolved, ModelConfig model) {
        if (model.family() != ModelFamily.CLIPPO) {
            if (renderFont != null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--render-font goes with a CLIPPO checkpoint; "
                                + resolved
                                + " holds a "
                                + model.family()
                                + " model");
            }
            return null;
        }
        if (renderFont == null && ClippoRendering.isIn(resolved)) {
            return null;
        }
        Path font = renderFont != null ? renderFont : BitmapFont.locate(null);
        if (font == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "checkpoint "
                            + resolved
                            + " keeps no font to render the set's texts with: give"
                            + " --render-font FILE (GNU Unifont .hex or .hex.gz), the font its"
                            + " run's captions were rendered with, or set STREAMLIP_FONT");
        }
        try {
            return ClippoRendering.fromCheckpoint(resolved, TokenizeJob.checkFont(font));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--render-font: " + e.getMessage());
        }
    }
}
