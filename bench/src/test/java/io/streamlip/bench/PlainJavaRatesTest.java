package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.TokenizeConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlainJavaRatesTest {

    private static List<RawPair> pairs(int count) {
        List<RawPair> pairs = new ArrayList<>();
        new SyntheticPairs(32).pairs(count, 1).forEachRemaining(pairs::add);
        return pairs;
    }

    @Test
    void decodesAndResizesInOneThreadAndInSeveral() {
        PlainJavaRates rates =
                new PlainJavaRates(pairs(20), DatapathSettings.FILTER, TokenizeConfig.defaults());

        PlainJavaRates.Limits limits = rates.decodeResizeLimits(2);

        assertThat(limits.oneThread()).isPositive();
        assertThat(limits.pairThreads()).isPositive();
        assertThat(limits.threads()).isEqualTo(2);
    }

    @Test
    void curatesDeduplicatesAndBuildsTheStreamTheJobsGet() {
        PlainJavaRates rates =
                new PlainJavaRates(pairs(20), DatapathSettings.FILTER, TokenizeConfig.defaults());

        assertThat(rates.curateDeduplicateAndBuild(1, 2)).isPositive().isFinite();
    }

    @Test
    void anUndecodableImageFailsTheLimit() {
        List<RawPair> pairs = pairs(3);
        pairs.set(
                1,
                RawPair.newBuilder(pairs.get(1))
                        .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                        .build());
        PlainJavaRates rates =
                new PlainJavaRates(pairs, DatapathSettings.FILTER, TokenizeConfig.defaults());

        assertThatThrownBy(() -> rates.decodeResize(2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theLimitIsTheFasterOfTwoMeasurements() {
        PlainJavaRates.Limits before = new PlainJavaRates.Limits(1000, 1500, 2);
        PlainJavaRates.Limits after = new PlainJavaRates.Limits(1200, 1400, 2);

        assertThat(before.best(after)).isEqualTo(new PlainJavaRates.Limits(1200, 1500, 2));
    }
}
