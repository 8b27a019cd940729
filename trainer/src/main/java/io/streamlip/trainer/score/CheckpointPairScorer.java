package io.streamlip.trainer.score;

import io.streamlip.platform.image.Images;
import io.streamlip.platform.score.PairScorer;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.ImagePreprocessor;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Scores pairs with a SigLIP checkpoint: the cosine similarity of the image and caption embeddings
 * (both unit length), in [-1, 1]. Images and captions are prepared exactly as for training ({@link
 * ImagePreprocessor} at the model's size, the checkpoint's tokenizer, padded to its context; for a
 * CLIPPO checkpoint the caption rendered with the checkpoint's {@link ClippoRendering}).
 *
 * <p>The model is loaded once (about a megabyte of parameters for the small model); each call
 * embeds its pairs as one batch inside a sub-manager that is closed afterwards, so native memory
 * stays flat. Loading and scoring use the intra-op threads it was loaded with, on each thread that
 * calls it, or that thread's own count. Not thread-safe.
 */
public final class CheckpointPairScorer implements PairScorer {
    private final String version;
    private final TrainingSession session;
    private final ModelConfig model;
    private final ImagePreprocessor preprocessor;
    private final CaptionTokenizer tokenizer;
    private final int threads; // intra-op threads on the calling thread; 0: its own count
    private ClippoRendering
            rendering; // a CLIPPO checkpoint's: captions are rendered, not tokenized

    private CheckpointPairScorer(
            String version, TrainingSession session, CaptionTokenizer tokenizer, int threads) {
        this.version = version;
        this.threads = threads;
        this.session = session;
        this.model = session.config();
        this.preprocessor = new ImagePreprocessor(model.imageSize());
        this.tokenizer = tokenizer;
    }

    /**
     * Loads {@code checkpoint} (a checkpoint folder, or a folder of them: its newest).
     *
     * @param tokenizer the tokenizer the model was trained with; null to take the copy the
     *     checkpoint carries ({@link CheckpointStore#tokenizer})
     */
    public static CheckpointPairScorer load(Path checkpoint, CaptionTokenizer tokenizer)
            throws IOException {
        return load(checkpoint, tokenizer, 0);
    }

    /**
     * Loads {@code checkpoint} to run on {@code threads} intra-op threads ({@link
     * TrainingSession#setThreads}, set on each thread that loads or scores; 0 leaves that thread's
     * count).
     */
    public static CheckpointPairScorer load(
            Path checkpoint, CaptionTokenizer tokenizer, int threads) throws IOException {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must not be negative, got " + threads);
        }
        Path resolved = CheckpointStore.resolve(checkpoint);
        TrainingState state = CheckpointStore.readState(resolved);
        CaptionTokenizer chosen =
                tokenizer != null ? tokenizer : CheckpointStore.tokenizer(resolved);
        Tokenizers.requireVersion(chosen, state.tokenizerVersion(), "checkpoint " + resolved);
        if (threads > 0) {
            TrainingSession.setThreads(threads);
        }
        TrainingSession session =
                TrainingSession.create(state.model(), OptimizerConfig.defaults(), 0);
        try {
            if (!session.hasEmbeddings()) {
                throw new IllegalArgumentException(
                        "checkpoint "
                                + resolved
                                + " is a captioner trained without the pairwise loss: it has no"
                                + " embeddings to score pairs with (train with"
                                + " --caption-contrastive)");
            }
            session.loadParameters(resolved.resolve(TrainingSession.PARAMETERS_FILE));
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
        CheckpointPairScorer scorer =
                new CheckpointPairScorer(state.modelVersion(), session, chosen, threads);
        if (state.model().family() == ModelFamily.CLIPPO) {
            try {
                scorer.rendering = ClippoRendering.fromCheckpoint(resolved);
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
        }
        return scorer;
    }

    @Override
    public String modelVersion() {
        return version;
    }

    @Override
    public float[] score(List<CuratedPair> pairs) throws Images.UndecodableImageException {
        if (threads > 0) {
            // The thread that scores may not be the one that loaded.
            TrainingSession.setThreads(threads);
        }
        int n = pairs.size();
        int size = model.imageSize();
        int context = model.contextLength();
        float[] images = new float[n * 3 * size * size];
        int[] ids = new int[n * context];
        float[] mask = new float[n * context];
        for (int i = 0; i < n; i++) {
            CuratedPair pair = pairs.get(i);
            TrainingBatch.putImage(
                    preprocessor.process(bytes(pair.getPair().getImage())), size, images, i);
            if (rendering == null) {
                TrainingBatch.putTokens(
                        tokenizer.encode(pair.getCaption()),
                        context,
                        tokenizer.eosId(),
                        ids,
                        mask,
                        i);
            }
        }
        float[][] imageEmbeddings = session.embedImages(images, n);
        float[][] textEmbeddings =
                rendering == null ? session.embedTexts(ids, mask, n) : renderedTexts(pairs);
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
            float dot = 0;
            for (int d = 0; d < imageEmbeddings[i].length; d++) {
                dot += imageEmbeddings[i][d] * textEmbeddings[i][d];
            }
            scores[i] = dot;
        }
        return scores;
    }

    private float[][] renderedTexts(List<CuratedPair> pairs) {
        int size = model.imageSize();
        float[] rendered = new float[pairs.size() * 3 * size * size];
        for (int i = 0; i < pairs.size(); i++) {
            ClippoRendering.putRendered(
                    rendering.render(pairs.get(i).getCaption(), size), size, rendered, i);
        }
        return session.embedRenderedTexts(rendered, pairs.size());
    }

    private static byte[] bytes(ByteBuffer buffer) throws Images.UndecodableImageException {
        if (buffer == null) {
            throw new Images.UndecodableImageException("the pair carries no image bytes");
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void close() {
        session.close();
    }
}
