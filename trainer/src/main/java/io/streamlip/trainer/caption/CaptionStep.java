package io.streamlip.trainer.caption;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.loss.SigmoidLoss;
import io.streamlip.trainer.loss.SoftmaxLoss;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.SiglipModel;
import java.util.List;

/**
 * The forward and backward half of a captioner's training step: one pass of the image tower, the
 * decoder's teacher-forced cross-entropy ({@link CaptionLoss}) and, with {@code
 * decoder.contrastive}, the pairwise loss of {@link LossConfig}'s kind (sigmoid by default, the
 * whole batch at once: chunking does not apply) on the same image tower's embedding and the text
 * tower's, added with weight 1.
 */
public final class CaptionStep {
    private static final double NORM_EPS = 1e-6;

    private final LossConfig loss;

    public CaptionStep(LossConfig loss) {
        this.loss = loss;
    }

    /**
     * Runs forward and backward inside {@code collector}; gradients accumulate on the parameters.
     *
     * @param images (B, 3, H, W)
     * @param ids padded caption ids (B, S) as on the host in {@code tokenIds}
     * @param trainImages false when the image tower is locked (LiT: PaLI's frozen vision)
     * @return the batch's loss
     */
    public float forwardBackward(
            GradientCollector collector,
            CaptionerModel model,
            ParameterStore ps,
            NDArray images,
            int[] tokenIds,
            float[] mask,
            NDArray ids,
            NDArray idsMask,
            List<String> langs,
            boolean trainImages) {
        NDArray total =
                total(model, ps, images, tokenIds, mask, ids, idsMask, langs, trainImages, true);
        collector.backward(total);
        return total.getFloat();
    }

    /** The loss without gradients (evaluation). */
    public float loss(
            CaptionerModel model,
            ParameterStore ps,
            NDArray images,
            int[] tokenIds,
            float[] mask,
            NDArray ids,
            NDArray idsMask,
            List<String> langs) {
        return total(model, ps, images, tokenIds, mask, ids, idsMask, langs, false, false)
                .getFloat();
    }

    private NDArray total(
            CaptionerModel model,
            ParameterStore ps,
            NDArray images,
            int[] tokenIds,
            float[] mask,
            NDArray ids,
            NDArray idsMask,
            List<String> langs,
            boolean trainImages,
            boolean training) {
        ModelConfig config = model.config();
        NDManager m = images.getManager();
        NDArray tokens = model.imageTokens(ps, images, trainImages);
        NDArray caption = captionLoss(model, ps, m, tokens, tokenIds, mask, langs, training);
        if (!config.decoder().contrastive()) {
            return caption;
        }
        SiglipModel towers = model.towers();
        NDArray x = towers.imageTower().embed(ps, tokens, trainImages).normalize(2, 1, NORM_EPS);
        NDArray y = towers.embedTexts(ps, ids, idsMask, training);
        NDArray t = ps.getValue(towers.logTemperature(), y.getDevice(), training);
        NDArray b = ps.getValue(towers.bias(), y.getDevice(), training);
        NDArray pairwise =
                switch (loss.kind()) {
                    case SIGMOID -> SigmoidLoss.compute(x, y, t, b);
                    case SOFTMAX -> SoftmaxLoss.compute(x, y, t, b);
                };
        return caption.add(pairwise);
    }

    /** The teacher-forced caption loss of a batch given its images' patch tokens. */
    static NDArray captionLoss(
            CaptionerModel model,
            ParameterStore ps,
            NDManager m,
            NDArray imageTokens,
            int[] tokenIds,
            float[] mask,
            List<String> langs,
            boolean training) {
        CaptionPrompts.TeacherForcing tf =
                CaptionPrompts.teacherForcing(model.config(), tokenIds, mask, langs);
        Shape shape = new Shape(langs.size(), tf.length());
        NDArray logits = model.logits(ps, imageTokens, m.create(tf.inputs(), shape), training);
        return CaptionLoss.compute(
                logits, m.create(tf.targets(), shape), m.create(tf.targetMask(), shape));
    }
}
