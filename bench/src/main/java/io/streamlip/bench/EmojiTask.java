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
import java.nio.file.StandardCopyOption;
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
    /** Marks a held-out folder in a cache as written to the end. */
    private static final String COMPLETE = ".complete";

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
        EmojiStream stream = prepareStream(data, languages, model, render);
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
     * Writes into {@code cache} what {@link #readCached} reads, unless it is there already: the
     * held-out folder and the stream. Loads nothing: {@code bench families} prepares each in a
     * process of its own, so that no timed run starts with the preparation's garbage in its heap.
     */
    static void fillCache(
            EmojiData data,
            List<String> languages,
            int evalClasses,
            ModelConfig model,
            TextRenderConfig render,
            Path cache)
            throws IOException {
        Files.createDirectories(cache);
        heldOutFolder(data, languages, evalClasses, cache);
        Path streamFile = streamFile(languages, model, render, cache);
        if (!Files.isRegularFile(streamFile)) {
            writeStream(data, languages, model, render, streamFile);
        }
    }

    /**
     * The task as {@link #fillCache} left it in {@code cache}; prepares nothing itself.
     *
     * @throws IllegalStateException naming what is not in {@code cache}
     */
    static EmojiTask readCached(
            List<String> languages,
            int evalClasses,
            ModelConfig model,
            TextRenderConfig render,
            Path cache)
            throws IOException {
        Path heldOut = cachedHeldOutFolder(languages, evalClasses, cache);
        Path streamFile = streamFile(languages, model, render, cache);
        if (!Files.isRegularFile(streamFile)) {
            throw new IllegalStateException("the stream was not prepared: no " + streamFile);
        }
        return new EmojiTask(EmojiStream.read(streamFile), heldOut, load(heldOut, model, render));
    }

    /**
     * The held-out folder of {@code evalClasses} classes in {@code languages} as {@link
     * #heldOutFolder} wrote it into {@code cache}.
     *
     * @throws IllegalStateException when it was not written there (or not to the end)
     */
    static Path cachedHeldOutFolder(List<String> languages, int evalClasses, Path cache) {
        Path folder = heldOutFolderIn(languages, evalClasses, cache);
        if (!Files.isRegularFile(folder.resolve(COMPLETE))) {
            throw new IllegalStateException("the held-out set was not prepared in " + folder);
        }
        return folder;
    }

    private static Path streamFile(
            List<String> languages, ModelConfig model, TextRenderConfig render, Path cache) {
        return cache.resolve(
                "stream-"
                        + String.join("_", languages)
                        + "-"
                        + model.imageSize()
                        + (render == null ? "" : "-rendered")
                        + ".bin");
    }

    /** The demo's stream of {@code languages} at the model's image size, rendered with render. */
    private static EmojiStream prepareStream(
            EmojiData data, List<String> languages, ModelConfig model, TextRenderConfig render) {
        EmojiCorpus corpus =
                EmojiCorpus.open(data, EmojiCorpus.Config.builder().locales(languages).build());
        return EmojiStream.prepare(
                corpus,
                TokenizeConfig.builder().imageSize(model.imageSize()).render(render).build());
    }

    /** Prepares the stream and writes it to {@code file}, whole or not at all. */
    private static void writeStream(
            EmojiData data,
            List<String> languages,
            ModelConfig model,
            TextRenderConfig render,
            Path file)
            throws IOException {
        EmojiStream stream = prepareStream(data, languages, model, render);
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        stream.write(partial);
        Files.move(
                partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The demo's held-out folder of {@code evalClasses} classes in {@code languages}, written into
     * {@code cache} unless it is there already.
     */
    static Path heldOutFolder(EmojiData data, List<String> languages, int evalClasses, Path cache)
            throws IOException {
        Path folder = heldOutFolderIn(languages, evalClasses, cache);
        Path done = folder.resolve(COMPLETE);
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

    /** Where {@link #heldOutFolder} writes the held-out set in {@code cache}. */
    static Path heldOutFolderIn(List<String> languages, int evalClasses, Path cache) {
        return cache.resolve("heldout-" + String.join("_", languages) + "-" + evalClasses);
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
