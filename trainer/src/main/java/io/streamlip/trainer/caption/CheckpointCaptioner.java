package io.streamlip.trainer.caption;

import io.streamlip.platform.image.Images;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.ImagePreprocessor;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A captioner checkpoint ready to caption image files: the model, rebuilt from the checkpoint's
 * shape and parameters, and the tokenizer it was trained with (the checkpoint's copy unless one is
 * given) to write the ids back as text. Images are preprocessed as the tokenize job does (decode,
 * resize to the model's size). Not thread-safe; close it.
 */
public final class CheckpointCaptioner implements AutoCloseable {
    private final TrainingState state;
    private final TrainingSession session;
    private final CaptionTokenizer tokenizer;
    private final ImagePreprocessor preprocessor;

    private CheckpointCaptioner(
            TrainingState state, TrainingSession session, CaptionTokenizer tokenizer) {
        this.state = state;
        this.session = session;
        this.tokenizer = tokenizer;
        this.preprocessor = new ImagePreprocessor(state.model().imageSize());
    }

    /**
     * Loads a checkpoint (or the newest in a folder of them).
     *
     * @param tokenizer the tokenizer to decode with, or null for the checkpoint's own
     * @throws IllegalArgumentException when the checkpoint is not a captioner's, or the tokenizer
     *     is not the checkpoint's version
     */
    public static CheckpointCaptioner load(Path checkpoint, CaptionTokenizer tokenizer)
            throws IOException {
        Path resolved = CheckpointStore.resolve(checkpoint);
        TrainingState state = CheckpointStore.readState(resolved);
        ModelConfig model = state.model();
        if (model.family() != ModelFamily.CAPTIONER) {
            throw new IllegalArgumentException(
                    "checkpoint "
                            + resolved
                            + " holds a "
                            + model.family()
                            + " model, which writes no captions; train one with --model"
                            + " captioner-small (or captioner-tiny, captioner-b16)");
        }
        CaptionTokenizer chosen =
                tokenizer != null ? tokenizer : CheckpointStore.tokenizer(resolved);
        Tokenizers.requireVersion(chosen, state.tokenizerVersion(), "checkpoint " + resolved);
        TrainingSession session = TrainingSession.create(model, OptimizerConfig.defaults(), 0);
        try {
            session.loadParameters(resolved.resolve(TrainingSession.PARAMETERS_FILE));
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
        return new CheckpointCaptioner(state, session, chosen);
    }

    /** What one image got. */
    public record Caption(String text, int[] tokenIds, int promptId) {}

    /**
     * The greedy caption of an encoded image (PNG, JPEG, ...) in {@code lang} (null: the
     * any-language prompt).
     *
     * @throws Images.UndecodableImageException when the bytes do not decode as an image
     */
    public Caption caption(byte[] encodedImage, String lang)
            throws Images.UndecodableImageException {
        int size = state.model().imageSize();
        float[] image = new float[3 * size * size];
        TrainingBatch.putImage(preprocessor.process(encodedImage), size, image, 0);
        int[] ids = session.caption(image, 1, java.util.Arrays.asList(lang), tokenizer.eosId())[0];
        return new Caption(
                tokenizer.decode(ids), ids, CaptionPrompts.promptId(state.model(), lang));
    }

    /** The checkpoint's name ({@code run/step-N}). */
    public String modelVersion() {
        return state.modelVersion();
    }

    /** The languages with their own prompt. */
    public List<String> languages() {
        return state.model().decoder().languages();
    }

    @Override
    public void close() {
        session.close();
    }
}
