package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * A model trained by the pairwise image-text loss: it embeds each side into unit-length (B, D)
 * vectors in the shared space and holds the loss's {@code t'} and {@code b}. What a text input is
 * depends on the family: padded token ids and their mask for {@link SiglipModel} and {@code
 * io.streamlip.trainer.limoe.LimoeModel}, captions rendered as images for CLIPPO.
 */
public interface ContrastiveModel extends Block {
    ModelConfig config();

    /** Unit-length image embeddings (B, D) of images (B, 3, H, W) in [-1, 1]. */
    NDArray embedImages(ParameterStore ps, NDArray images, boolean training);

    /** Unit-length text embeddings (B, D) of the family's text inputs. */
    NDArray embedTexts(ParameterStore ps, NDList texts, boolean training);

    /** Unit-length text embeddings (B, D) of padded token ids (B, S) and their mask. */
    default NDArray embedTexts(ParameterStore ps, NDArray ids, NDArray mask, boolean training) {
        return embedTexts(ps, new NDList(ids, mask), training);
    }

    /** {@code t'}: the temperature is {@code exp(t')}. */
    Parameter logTemperature();

    /** {@code b}. */
    Parameter bias();
}
