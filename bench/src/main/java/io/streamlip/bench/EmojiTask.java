package io.streamlip.bench;

import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.emoji.EmojiEvalSet;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
        Path heldOut = work.resolve("heldout");
        EmojiEvalSet.write(
                data,
                heldOut,
                EmojiEvalSet.Config.builder().locales(languages).maxClasses(evalClasses).build());
        EmojiCorpus corpus =
                EmojiCorpus.open(data, EmojiCorpus.Config.builder().locales(languages).build());
        EmojiStream stream =
                EmojiStream.prepare(
                        corpus, TokenizeConfig.builder().imageSize(model.imageSize()).build());
        return new EmojiTask(stream, heldOut, load(heldOut, model));
    }

    /** An evaluation set in {@code folder} as {@code model} reads it (byte tokenizer). */
    static EvalSet load(Path folder, ModelConfig model) {
        return EvalSet.load(folder, model, new ByteTokenizer(model.contextLength()));
    }
}
