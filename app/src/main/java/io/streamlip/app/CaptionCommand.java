package io.streamlip.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.platform.image.Images;
import io.streamlip.trainer.caption.CheckpointCaptioner;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamlip caption --checkpoint DIR --image FILE [--image FILE ..] [--lang xx] [--json]}.
 */
@Command(
        name = "caption",
        mixinStandardHelpOptions = true,
        description = {
            "Write a caption for each image with a captioner checkpoint (trained with --model"
                    + " captioner-tiny, captioner-small or captioner-b16): greedy decoding from the"
                    + " language's prompt token, detokenized with the checkpoint's tokenizer.",
            ""
        })
final class CaptionCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--checkpoint",
            required = true,
            paramLabel = "DIR",
            description =
                    "A captioner checkpoint folder, or a folder of them (the newest is used).")
    Path checkpoint;

    @Option(
            names = "--image",
            required = true,
            paramLabel = "FILE",
            description = "An image file (PNG, JPEG, ...); repeat for several.")
    List<Path> images;

    @Option(
            names = "--lang",
            paramLabel = "xx",
            description =
                    "Language to write in: a code the checkpoint has a prompt for (the presets:"
                            + " the demo's 16 languages, en de fr es it pt nl pl tr ru el ar hi ja"
                            + " zh ko; demo --languages adds its others); others use the"
                            + " any-language prompt (default: ${DEFAULT-VALUE}).")
    String lang = "en";

    @Option(names = "--json", description = "Print one JSON object instead of one line per image.")
    boolean json;

    @CommandLine.Mixin TokenizerOptions tokenizer;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(checkpoint)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--checkpoint " + checkpoint + " is not a folder");
        }
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--image " + image + " is not a file");
            }
        }
        String language = lang.trim().toLowerCase(Locale.ROOT);
        int context =
                CheckpointStore.readState(CheckpointStore.resolve(checkpoint))
                        .model()
                        .contextLength();
        var out = spec.commandLine().getOut();
        try (CheckpointCaptioner captioner =
                CheckpointCaptioner.load(checkpoint, tokenizer.given(context).orElse(null))) {
            ObjectNode root = JSON.createObjectNode();
            root.put("model_version", captioner.modelVersion());
            root.put("lang", language);
            root.put("lang_prompt", captioner.languages().contains(language));
            ArrayNode captions = root.putArray("captions");
            for (Path image : images) {
                CheckpointCaptioner.Caption c;
                try {
                    c = captioner.caption(Files.readAllBytes(image), language);
                } catch (Images.UndecodableImageException e) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--image " + image + " does not decode: " + e.getMessage());
                }
                ObjectNode o = captions.addObject();
                o.put("image", image.toString());
                o.put("caption", c.text());
                ArrayNode ids = o.putArray("token_ids");
                for (int id : c.tokenIds()) {
                    ids.add(id);
                }
                if (!json) {
                    out.println(images.size() == 1 ? c.text() : image + "\t" + c.text());
                }
            }
            if (json) {
                out.println(JSON.writeValueAsString(root));
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        out.flush();
        return 0;
    }
}
