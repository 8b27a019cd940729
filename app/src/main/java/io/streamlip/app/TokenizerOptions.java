package io.streamlip.app;

import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --tokenizer bytes|FILE}: the tokenizer of {@code streamlip train} and {@code eval}, named
 * the way {@link Tokenizers#load} reads it. Without the option a command takes the tokenizer its
 * checkpoint carries, or the byte tokenizer for a new model.
 */
final class TokenizerOptions {

    @Option(
            names = "--tokenizer",
            paramLabel = "bytes|FILE",
            description =
                    "The tokenizer: 'bytes', or a tokenizer.json from 'streamlip tokenizer"
                            + " train' (the one the tokenize job used). Default: the one the"
                            + " checkpoint carries; bytes for a new model.")
    String spec;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    /**
     * The tokenizer a trainer that checkpoints into {@code checkpoints} reads: {@code --tokenizer},
     * else the one its newest checkpoint carries, else the byte tokenizer.
     */
    CaptionTokenizer forTraining(Path checkpoints, int contextLength) {
        if (spec != null) {
            return load(contextLength);
        }
        Optional<Path> newest = new CheckpointStore(checkpoints, 1).latest();
        return newest.isPresent()
                ? CheckpointStore.tokenizer(newest.get())
                : Tokenizers.load(Tokenizers.BYTES, contextLength);
    }

    /** {@code --tokenizer}'s tokenizer, or empty when the option was not given. */
    Optional<CaptionTokenizer> given(int contextLength) {
        return spec == null ? Optional.empty() : Optional.of(load(contextLength));
    }

    private CaptionTokenizer load(int contextLength) {
        try {
            return Tokenizers.load(spec, contextLength);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    command.commandLine(), "--tokenizer: " + e.getMessage());
        }
    }
}
