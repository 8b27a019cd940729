package io.streamlip.trainer.eval;

import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Evaluates a model on an evaluation set: embeds every image and text, then per language computes
 * image-to-text and text-to-image recall@1/5/10 and zero-shot accuracy ({@link RetrievalMetrics}),
 * with the language's own images and texts as the only candidates. A CLIPPO model's texts are the
 * captions rendered as images ({@link ClippoRendering}).
 */
public final class Evaluator {
    private static final int BATCH = 256;

    private Evaluator() {}

    /**
     * Evaluates a checkpoint (or the newest in a folder of checkpoints) on the pairs folder {@code
     * evalSet}, tokenizing with the tokenizer the checkpoint was trained with.
     */
    public static EvalReport evaluate(Path checkpoint, Path evalSet) {
        Path resolved = CheckpointStore.resolve(checkpoint);
        ModelConfig model = CheckpointStore.readState(resolved).model();
        if (model.family() == ModelFamily.CLIPPO) {
            return evaluateRendered(resolved, evalSet, ClippoRendering.fromCheckpoint(resolved));
        }
        return evaluate(resolved, evalSet, CheckpointStore.tokenizer(resolved));
    }

    /**
     * Evaluates a CLIPPO checkpoint (or the newest in a folder of them) on {@code evalSet}, its
     * captions rendered by {@code rendering} (no tokenizer).
     */
    public static EvalReport evaluateRendered(
            Path checkpoint, Path evalSet, ClippoRendering rendering) {
        Path resolved = CheckpointStore.resolve(checkpoint);
        ModelConfig model = CheckpointStore.readState(resolved).model();
        try (TrainingSession session =
                TrainingSession.create(model, OptimizerConfig.defaults(), 0)) {
            session.loadParameters(resolved.resolve(TrainingSession.PARAMETERS_FILE));
            return evaluate(session, EvalSet.load(evalSet, model, null, rendering));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load checkpoint " + resolved, e);
        }
    }

    /**
     * As {@link #evaluate(Path, Path)} with an explicit tokenizer (for checkpoints that hold no
     * copy of theirs), which must be the version the checkpoint names. A CLIPPO checkpoint reads no
     * tokens: it renders the texts with its own rendering ({@link #evaluateRendered}).
     *
     * @throws IllegalArgumentException when it is another tokenizer
     */
    public static EvalReport evaluate(Path checkpoint, Path evalSet, CaptionTokenizer tokenizer) {
        Path resolved = CheckpointStore.resolve(checkpoint);
        TrainingState state = CheckpointStore.readState(resolved);
        if (state.model().family() == ModelFamily.CLIPPO) { // reads no tokens: renders
            return evaluateRendered(resolved, evalSet, ClippoRendering.fromCheckpoint(resolved));
        }
        Tokenizers.requireVersion(tokenizer, state.tokenizerVersion(), "checkpoint " + resolved);
        ModelConfig model = state.model();
        try (TrainingSession session =
                TrainingSession.create(model, OptimizerConfig.defaults(), 0)) {
            session.loadParameters(resolved.resolve(TrainingSession.PARAMETERS_FILE));
            return evaluate(session, EvalSet.load(evalSet, model, tokenizer));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load checkpoint " + resolved, e);
        }
    }

    /**
     * Evaluates the model of {@code session} on a loaded set: retrieval where the model has
     * embeddings, and a captioner's captions ({@link CaptionEvaluator}).
     */
    public static EvalReport evaluate(TrainingSession session, EvalSet set) {
        EvalReport retrieval =
                session.hasEmbeddings() ? retrieval(session, set) : EvalReport.of(Map.of());
        if (session.captioner() == null) {
            return retrieval;
        }
        return retrieval.withCaptions(CaptionEvaluator.evaluate(session, set, set.tokenizer()));
    }

    /**
     * Retrieval only (no captions), for a model with embeddings ({@link
     * TrainingSession#hasEmbeddings()}): a captioner trained with the contrastive loss evaluated
     * for retrieval on one set and for its captions on another.
     */
    public static EvalReport retrieval(TrainingSession session, EvalSet set) {
        float[][] images = embedImages(session, set);
        float[][] texts = embedTexts(session, set);
        Map<String, List<Integer>> pairsByLang = new TreeMap<>();
        for (int p = 0; p < set.pairCount(); p++) {
            pairsByLang.computeIfAbsent(set.pairLang(p), k -> new ArrayList<>()).add(p);
        }
        Map<String, EvalReport.Metrics> byLang = new LinkedHashMap<>();
        pairsByLang.forEach(
                (lang, pairs) -> {
                    Set<Integer> imageIds = new LinkedHashSet<>();
                    for (int p : pairs) {
                        imageIds.add(set.pairImage(p));
                    }
                    float[][] langImages = new float[imageIds.size()][];
                    String[] imageClasses = new String[imageIds.size()];
                    int i = 0;
                    for (int id : imageIds) {
                        langImages[i] = images[id];
                        imageClasses[i++] = set.imageClass(id);
                    }
                    float[][] langTexts = new float[pairs.size()][];
                    String[] textClasses = new String[pairs.size()];
                    for (int t = 0; t < pairs.size(); t++) {
                        langTexts[t] = texts[pairs.get(t)];
                        textClasses[t] = set.pairClass(pairs.get(t));
                    }
                    byLang.put(
                            lang,
                            RetrievalMetrics.compute(
                                    langImages,
                                    imageClasses,
                                    langTexts,
                                    textClasses,
                                    pairs.size()));
                });
        return EvalReport.of(byLang);
    }

    private static float[][] embedImages(TrainingSession session, EvalSet set) {
        int plane = 3 * set.imageSize() * set.imageSize();
        float[][] out = new float[set.imageCount()][];
        for (int start = 0; start < set.imageCount(); start += BATCH) {
            int count = Math.min(BATCH, set.imageCount() - start);
            float[] chunk = new float[count * plane];
            System.arraycopy(set.images(), start * plane, chunk, 0, chunk.length);
            float[][] rows = session.embedImages(chunk, count);
            System.arraycopy(rows, 0, out, start, count);
        }
        return out;
    }

    private static float[][] embedTexts(TrainingSession session, EvalSet set) {
        if (set.rendered()) {
            return embedRenderedTexts(session, set);
        }
        int context = set.contextLength();
        float[][] out = new float[set.pairCount()][];
        for (int start = 0; start < set.pairCount(); start += BATCH) {
            int count = Math.min(BATCH, set.pairCount() - start);
            int[] ids = new int[count * context];
            float[] mask = new float[count * context];
            System.arraycopy(set.tokenIds(), start * context, ids, 0, ids.length);
            System.arraycopy(set.mask(), start * context, mask, 0, mask.length);
            float[][] rows = session.embedTexts(ids, mask, count);
            System.arraycopy(rows, 0, out, start, count);
        }
        return out;
    }

    private static float[][] embedRenderedTexts(TrainingSession session, EvalSet set) {
        int size = set.imageSize();
        float[][] out = new float[set.pairCount()][];
        for (int start = 0; start < set.pairCount(); start += BATCH) {
            int count = Math.min(BATCH, set.pairCount() - start);
            float[] chunk = new float[count * 3 * size * size];
            for (int i = 0; i < count; i++) {
                ClippoRendering.putRendered(set.renderedText(start + i), size, chunk, i);
            }
            float[][] rows = session.embedRenderedTexts(chunk, count);
            System.arraycopy(rows, 0, out, start, count);
        }
        return out;
    }
}
