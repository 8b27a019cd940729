package io.streamlip.bench.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamlip.trainer.model.ModelConfig;
import org.junit.jupiter.api.Test;

class TrainingFlopsTest {

    @Test
    void countsEveryMatrixProductOfTheTinyModelByHand() {
        // tiny: 32 px, patch 8 (16 patches), width 64, depth 1, mlp 4, embed 64, 32 tokens.
        ModelConfig tiny = ModelConfig.tiny(258);
        TrainingFlops f = TrainingFlops.of(tiny, 8);
        assertThat(f.patchEmbedding()).isEqualTo(2.0 * 8 * 16 * (3 * 8 * 8) * 64);
        // per token: qkv 3w², out w², MLP 2·4w² = 12w²; attention 2·s·w; times 2 (multiply-add)
        double imageBlock = 2.0 * 8 * 16 * (12 * 64 * 64 + 2 * 16 * 64);
        double textBlock = 2.0 * 8 * 32 * (12 * 64 * 64 + 2 * 32 * 64);
        assertThat(f.imageBlocks()).isEqualTo(imageBlock);
        assertThat(f.textBlocks()).isEqualTo(textBlock);
        assertThat(f.projections()).isEqualTo(2 * (2.0 * 8 * 64 * 64));
        assertThat(f.logits()).isEqualTo(2.0 * 8 * 8 * 64);
        double forward = f.patchEmbedding() + imageBlock + textBlock + f.projections() + f.logits();
        assertThat(f.forward()).isCloseTo(forward, within(1e-6));
        // backward = 2 x forward, but the pixels need no gradient
        assertThat(f.training()).isCloseTo(3 * forward - f.patchEmbedding(), within(1e-6));
    }

    @Test
    void scalesWithBatchDepthAndSequence() {
        ModelConfig small = ModelConfig.small(258);
        TrainingFlops b128 = TrainingFlops.of(small, 128);
        TrainingFlops b256 = TrainingFlops.of(small, 256);
        // everything but the B x B logits is linear in the batch
        assertThat(b256.imageBlocks()).isEqualTo(2 * b128.imageBlocks());
        assertThat(b256.logits()).isEqualTo(4 * b128.logits());
        // the demo's model: about 15 GFLOP per step at batch 128, text tower (32 tokens) heavier
        assertThat(b128.training() / 1e9).isBetween(14.0, 16.5);
        assertThat(b128.textBlocks()).isGreaterThan(2 * b128.imageBlocks());
    }
}
