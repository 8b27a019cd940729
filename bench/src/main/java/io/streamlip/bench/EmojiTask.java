package io.streamlip.bench;

import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.emoji.EmojiEvalSet;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.io.file.PathUtils;

/**
 * The demo's learning task without Kafka or Flink, as the benchmarks that train on it ({@code
 * emoji-learning}, {@code small-batch}) prepare it: the emoji stream of the training vendors
 * (apple, google, facebook; {@link EmojiStream}) and the held-out set of the twitter drawings
 * ({@link EmojiEvalSet}), both in the same languages and at the model's image size, with the byte
 * tokenizer.
 *
 * @param stream the examples to train on, in the demo's order
 * @param heldOutFolder the held-out set's folder (pairs format)
 * @param heldOut the held-out set, loaded for the model
 */
record EmojiTask(EmojiStream stream, Path heldOutFolder, EvalSet heldOut) {

    /**
     * Writes the held-out set of {@code evalClasses} classes (0: all) into {@code work/heldout},
     * prepares the stream of {@code languages} and loads the held-out set for {@code model}.
     */
    static EmojiTask prepare(
            EmojiData data, List<String> languages, int evalClasses, ModelConfig model, Path work)
            throws IOException {
        return prepare(data, languages, evalClasses, model, null, work);
    }

    /**
     * As {@link #prepare(EmojiData, List, int, ModelConfig, Path)}; with {@code render} (CLIPPO)
     * the stream's captions and the held-out texts are also rendered with it, as the tokenize job
     * and the trainer's evaluation render them.
     */
    static EmojiTask prepare(
            EmojiData data,
            List<String> languages,
            int evalClasses,
            ModelConfig model,
            TextRenderConfig render,
            Path work)
            throws IOException {
        Path heldOut = work.resolve("heldout");
        EmojiEvalSet.write(
                data,
                heldOut,
                EmojiEvalSet.Config.builder().locales(languages).maxClasses(evalClasses).build());
        EmojiCorpus corpus =
                EmojiCorpus.open(data, EmojiCorpus.Config.builder().locales(languages).build());
        EmojiStream stream =
                EmojiStream.prepare(
                        corpus,
                        TokenizeConfig.builder()
                                .imageSize(model.imageSize())
                                .render(render)
                                .build());
        EvalSet heldOutSet =
                render == null
                        ? load(heldOut, model)
                        : EvalSet.load(
                                heldOut,
                                model,
                                new ByteTokenizer(model.contextLength()),
                                ClippoRendering.open(render));
        return new EmojiTask(stream, heldOut, heldOutSet);
    }

    /**
     * As {@link #prepare(EmojiData, List, int, ModelConfig, TextRenderConfig, Path)}, keeping the
     * held-out folder and the stream in {@code cache} and reusing them when they are there: the
     * processes of {@code bench families} prepare each once. The stream's file is keyed by the
     * languages, the image size and whether captions are rendered; the held-out folder by the
     * languages and classes.
     */
    static EmojiTask prepareCached(
            EmojiData data,
            List<String> languages,
            int evalClasses,
            ModelConfig model,
            TextRenderConfig render,
            Path cache)
            throws IOException {
        Files.createDirectories(cache);
        String langs = String.join("_", languages);
        Path heldOut = heldOutFolder(data, languages, evalClasses, cache);
        Path streamFile =
                cache.resolve(
                        "stream-"
                                + langs
                                + "-"
                                + model.imageSize()
                                + (render == null ? "" : "-rendered")
                                + ".bin");
        EmojiStream stream;
        if (Files.isRegularFile(streamFile)) {
            stream = EmojiStream.read(streamFile);
        } else {
            EmojiCorpus corpus =
                    EmojiCorpus.open(data, EmojiCorpus.Config.builder().locales(languages).build());
            stream =
                    EmojiStream.prepare(
                            corpus,
                            TokenizeConfig.builder()
                                    .imageSize(model.imageSize())
                                    .render(render)
                                    .build());
            stream.write(streamFile);
        }
        return new EmojiTask(stream, heldOut, load(heldOut, model, render));
    }

    /**
     * The demo's held-out folder of {@code evalClasses} classes in {@code languages}, written into
     * {@code cache} unless it is there already.
     */
    static Path heldOutFolder(EmojiData data, List<String> languages, int evalClasses, Path cache)
            throws IOException {
        Path folder = cache.resolve("heldout-" + String.join("_", languages) + "-" + evalClasses);
        Path done = folder.resolve(".complete");
        if (!Files.isRegularFile(done)) {
            if (Files.exists(folder)) {
                PathUtils.deleteDirectory(folder);
            }
            EmojiEvalSet.write(
                    data,
                    folder,
                    EmojiEvalSet.Config.builder()
                            .locales(languages)
                            .maxClasses(evalClasses)
                            .build());
            Files.createFile(done);
        }
        return folder;
    }

    /** An evaluation set as {@code model} reads it, its texts rendered with {@code render}. */
    static EvalSet load(Path folder, ModelConfig model, TextRenderConfig render) {
        return render == null
                ? load(folder, model)
                : EvalSet.load(
                        folder,
                        model,
                        new ByteTokenizer(model.contextLength()),
                        ClippoRendering.open(render));
    }

    /** An evaluation set in {@code folder} as {@code model} reads it (byte tokenizer). */
    static EvalSet load(Path folder, ModelConfig model) {
        return EvalSet.load(folder, model, new ByteTokenizer(model.contextLength()));
    }
}
