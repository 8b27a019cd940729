package io.streamlip.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.trainer.hf.HfSiglip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamlip model import|export}: Hugging Face SigLIP folders ({@code config.json}, {@code
 * model.safetensors}, {@code spiece.model}) to checkpoints and back ({@link HfSiglip}).
 */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = {
            "Hugging Face SigLIP checkpoints in and out (see 'model import --help', 'model export"
                    + " --help').",
            ""
        },
        subcommands = {ModelCommand.Import.class, ModelCommand.Export.class})
final class ModelCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Import a Hugging Face SigLIP folder (config.json, model.safetensors with F32, F16"
                        + " or BF16 tensors, spiece.model; e.g. google/siglip-base-patch16-224"
                        + " downloaded beforehand) as checkpoint step-00000000 of a checkpoint"
                        + " folder, which `train --init-from`, `--lit-from` and `eval` take."
                        + " Prints a JSON summary.",
                ""
            })
    static final class Import implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--hf",
                required = true,
                paramLabel = "DIR",
                description = "The Hugging Face folder to read.")
        Path hf;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "CHECKPOINT_DIR",
                description = "The checkpoint folder to write step-00000000 into.")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(hf)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--hf " + hf + " is not a folder");
            }
            HfSiglip.Result result;
            try {
                result = HfSiglip.importFolder(hf, out);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            spec.commandLine().getOut().println(Json.pretty(summary(result)));
            return 0;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Export a checkpoint whose model has Hugging Face SigLIP's architecture (--model"
                        + " b16 or so400m, or an imported one) as a folder transformers'"
                        + " SiglipModel.from_pretrained reads: config.json, float32"
                        + " model.safetensors, preprocessor_config.json and, for a SentencePiece"
                        + " tokenizer, spiece.model with tokenizer_config.json. Prints a JSON"
                        + " summary.",
                ""
            })
    static final class Export implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--checkpoint",
                required = true,
                paramLabel = "DIR",
                description = "A checkpoint, or a checkpoint folder (its newest undamaged one).")
        Path checkpoint;

        @Option(
                names = "--hf",
                required = true,
                paramLabel = "OUT_DIR",
                description = "The folder to write (created if missing; files replaced).")
        Path hf;

        @Override
        public Integer call() throws Exception {
            HfSiglip.Result result;
            try {
                result = HfSiglip.exportCheckpoint(checkpoint, hf);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            spec.commandLine().getOut().println(Json.pretty(summary(result)));
            return 0;
        }
    }

    private static ObjectNode summary(HfSiglip.Result result) {
        ObjectNode out = Json.object();
        out.put("model", result.model().name());
        out.put("checkpoint", result.checkpoint().toString());
        out.put("hf", result.hfFolder().toString());
        out.put("tensors", result.tensors());
        out.put("parameters", result.parameters());
        out.put("tokenizer", result.tokenizer());
        out.set("shape", Json.tree(result.model()));
        return out;
    }
}
