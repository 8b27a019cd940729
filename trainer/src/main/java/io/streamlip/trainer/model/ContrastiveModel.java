package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * What training, evaluation and scoring need of any family's model: unit-length embeddings of each
 * side in the shared space and the sigmoid loss's two scalars ({@code t'}, {@code b}). {@link
 * SiglipModel} (two towers) and {@code io.streamlip.trainer.limoe.LimoeModel} implement it.
 */
public interface ContrastiveModel extends Block {
    ModelConfig config();

    /** Unit-length image embeddings (B, D) of images (B, 3, H, W) in [-1, 1]. */
    NDArray embedImages(ParameterStore ps, NDArray images, boolean training);

    /** Unit-length text embeddings (B, D) of padded token ids (B, S) and their mask. */
    NDArray embedTexts(ParameterStore ps, NDArray ids, NDArray mask, boolean training);

    /** {@code t'}: the temperature is {@code exp(t')}. */
    Parameter logTemperature();

    /** {@code b}. */
    Parameter bias();
}
