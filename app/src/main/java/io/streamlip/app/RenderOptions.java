package io.streamlip.app;

import io.streamlip.tokenize.TokenizeJob;
import io.streamlip.tokenize.render.BitmapFont;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * CLIPPO rendering on a command line ({@code demo}, {@code submit}): {@code --render-text} and
 * {@code --render-font FILE}; {@link #renderConfig} checks the font where the command runs, {@link
 * #tokenizeJobArguments} hands both to the tokenize job's {@code main}.
 */
final class RenderOptions {
    @Option(
            names = "--render-text",
            description =
                    "The tokenize job also renders each caption as an image (CLIPPO: GNU Unifont,"
                            + " 16 px glyph rows, gray background) into the examples'"
                            + " rendered_text. Off by default; on by itself with a CLIPPO --model"
                            + " (clippo-tiny, clippo-small, clippo-b16).")
    boolean renderText;

    @Option(
            names = "--render-font",
            paramLabel = "FILE",
            description =
                    "With --render-text: the GNU Unifont .hex or .hex.gz file to render with,"
                            + " read where the tokenize job is built and carried inside it"
                            + " (default: $STREAMLIP_FONT, else, for the demo,"
                            + " unifont/unifont.hex(.gz) under --data, else"
                            + " /usr/share/unifont/unifont.hex of Debian's unifont package).")
    Path font;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    /**
     * The rendering asked for, with {@code --render-font} or the font {@link BitmapFont#locate}
     * finds under {@code dataDir}, read here; null when {@code --render-text} is off.
     *
     * @throws CommandLine.ParameterException when the font is missing or unreadable
     */
    TextRenderConfig renderConfig(Path dataDir) {
        checkFontGoesWithRendering();
        if (!renderText) {
            return null;
        }
        Path file = font != null ? font : BitmapFont.locate(dataDir);
        if (file == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--render-text needs a font: give --render-font FILE (GNU Unifont .hex or"
                            + " .hex.gz), set STREAMLIP_FONT, put unifont/unifont.hex.gz under "
                            + dataDir
                            + " or install Debian's unifont package");
        }
        try {
            return TextRenderConfig.defaults(TokenizeJob.checkFont(file).toString());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    (font != null ? "--render-font: " : "--render-text: ") + e.getMessage());
        }
    }

    /**
     * The tokenize job's arguments for what was given ({@link TokenizeJob#main}); the font is read
     * where that runs (the JobManager), then travels inside the operator.
     */
    List<String> tokenizeJobArguments() {
        checkFontGoesWithRendering();
        List<String> args = new ArrayList<>();
        if (renderText) {
            args.addAll(List.of("--" + TokenizeJob.RENDER_TEXT_OPTION, "true"));
            if (font != null) {
                args.addAll(List.of("--" + TokenizeJob.RENDER_FONT_OPTION, font.toString()));
            }
        }
        return args;
    }

    /**
     * Switches rendering on, as a CLIPPO model ({@link ModelFamily#CLIPPO}) reads the rendered
     * captions: a {@code --model clippo-*} needs no {@code --render-text} of its own.
     */
    void renderFor(ModelConfig model) {
        if (model.family() == ModelFamily.CLIPPO) {
            renderText = true;
        }
    }

    private void checkFontGoesWithRendering() {
        if (font != null && !renderText) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--render-font goes with --render-text");
        }
    }
}
