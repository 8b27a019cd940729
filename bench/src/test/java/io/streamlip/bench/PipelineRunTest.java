package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.RawPair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineRunTest {

    @Test
    void relabelGivesEveryPairAnIdAndACaptionOfItsOwn() {
        List<RawPair> pairs = new ArrayList<>();
        new SyntheticPairs(16).pairs(5, 1).forEachRemaining(pairs::add);

        List<RawPair> all = new ArrayList<>(PipelineRun.relabel(pairs, "warmup1"));
        all.addAll(PipelineRun.relabel(pairs, "run1"));
        all.addAll(PipelineRun.relabel(pairs, "run2"));

        assertThat(all).hasSize(15);
        assertThat(new HashSet<>(all.stream().map(RawPair::getId).toList())).hasSize(15);
        assertThat(new HashSet<>(all.stream().map(RawPair::getAltText).toList())).hasSize(15);
        RawPair first = all.get(5);
        assertThat(first.getId()).isEqualTo("run1-" + pairs.get(0).getId());
        assertThat(first.getAltText()).isEqualTo(pairs.get(0).getAltText() + " run1-0");
        assertThat(first.getImage()).isEqualTo(pairs.get(0).getImage());
    }
}
