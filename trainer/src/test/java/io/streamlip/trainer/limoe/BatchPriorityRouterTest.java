package io.streamlip.trainer.limoe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchPriorityRouterTest {
    // Six tokens over two experts; five prefer expert 0. Largest probabilities:
    // t2 .95, t0 .90, t3 .80 (expert 1), t4 .70, t1 .60, t5 .55.
    private static final float[] PROBS = {
        0.90f, 0.10f, // t0
        0.60f, 0.40f, // t1
        0.95f, 0.05f, // t2
        0.20f, 0.80f, // t3
        0.70f, 0.30f, // t4
        0.55f, 0.45f // t5
    };

    @Test
    void batchPriorityKeepsTheMostConfidentTokensAndDropsTheRest() {
        BatchPriorityRouter.Assignment a = BatchPriorityRouter.route(PROBS, 6, 2, null, 1, 2, true);
        assertThat(a.expert()[0]).containsExactly(0, -1, 0, 1, -1, -1);
        // Slots in priority order: t2 first, then t0.
        assertThat(a.slot()[0]).containsExactly(1, -1, 0, 0, -1, -1);
        assertThat(a.load()).containsExactly(2, 1);
        assertThat(a.routed()).isEqualTo(6);
        assertThat(a.dropped()).isEqualTo(3);
        assertThat(a.tokensByExpert().get(0)).containsExactly(2, 0);
        assertThat(a.tokensByExpert().get(1)).containsExactly(3);
    }

    @Test
    void withoutPriorityTokenOrderDecides() {
        BatchPriorityRouter.Assignment a =
                BatchPriorityRouter.route(PROBS, 6, 2, null, 1, 2, false);
        assertThat(a.expert()[0]).containsExactly(0, 0, -1, 1, -1, -1);
        assertThat(a.dropped()).isEqualTo(3);
    }

    @Test
    void topTwoPlacesEveryFirstChoiceBeforeAnySecond() {
        // Capacity 4: expert 0 takes t2, t0, t4, t1 (first choices, by priority); t5's first
        // choice is dropped. Second choices then fill expert 1 after t3's first: t2, t0, t4; t1's
        // and t5's second choices find it full; t3's second choice (expert 0) is full too.
        BatchPriorityRouter.Assignment a = BatchPriorityRouter.route(PROBS, 6, 2, null, 2, 4, true);
        assertThat(a.choice()[0]).containsExactly(0, 0, 0, 1, 0, 0);
        assertThat(a.choice()[1]).containsExactly(1, 1, 1, 0, 1, 1);
        assertThat(a.expert()[0]).containsExactly(0, 0, 0, 1, 0, -1);
        assertThat(a.expert()[1]).containsExactly(1, -1, 1, -1, 1, -1);
        assertThat(a.load()).containsExactly(4, 4);
        assertThat(a.routed()).isEqualTo(12);
        assertThat(a.dropped()).isEqualTo(4);
    }

    @Test
    void paddingIsNeitherRoutedNorCounted() {
        boolean[] valid = {true, true, false, true, true, true};
        BatchPriorityRouter.Assignment a =
                BatchPriorityRouter.route(PROBS, 6, 2, valid, 1, 2, true);
        // t2 (the most confident) is padding: t0 and t4 take expert 0.
        assertThat(a.expert()[0]).containsExactly(0, -1, -1, 1, 0, -1);
        assertThat(a.choice()[0][2]).isEqualTo(-1);
        assertThat(a.routed()).isEqualTo(5);
        assertThat(a.dropped()).isEqualTo(2);
    }

    @Test
    void tiesGoToTheLowerExpertAndTheEarlierToken() {
        float[] even = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        BatchPriorityRouter.Assignment a = BatchPriorityRouter.route(even, 3, 2, null, 1, 2, true);
        assertThat(a.expert()[0]).containsExactly(0, 0, -1);
    }

    @Test
    void capacityIsTheCeilingOfAnEvenShareTimesTheFactor() {
        assertThat(MoeConfig.capacity(10, 1, 4, 1.0)).isEqualTo(3);
        assertThat(MoeConfig.capacity(16, 1, 4, 1.0)).isEqualTo(4);
        assertThat(MoeConfig.capacity(16, 2, 4, 0.5)).isEqualTo(4);
        assertThat(MoeConfig.capacity(3, 1, 8, 0.1)).isEqualTo(1);
        assertThat(MoeConfig.capacity(0, 1, 8, 1.0)).isEqualTo(0);
    }
}
