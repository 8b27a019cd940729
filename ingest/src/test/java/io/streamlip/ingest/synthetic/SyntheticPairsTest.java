package io.streamlip.ingest.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.RawPair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticPairsTest {

    @Test
    void pairsAreDeterministicDecodableAndMultilingual() {
        List<RawPair> a = new ArrayList<>();
        new SyntheticPairs(32).pairs(60, 3).forEachRemaining(a::add);
        List<RawPair> b = new ArrayList<>();
        new SyntheticPairs(32).pairs(60, 3).forEachRemaining(b::add);
        assertThat(a).hasSize(60);
        Set<String> langs = new HashSet<>();
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).getAltText()).isEqualTo(b.get(i).getAltText());
            assertThat(a.get(i).getImage()).isEqualTo(b.get(i).getImage());
            var header = Images.probe(a.get(i).getImage().array()).orElseThrow();
            assertThat(header.width()).isEqualTo(32);
            langs.add(a.get(i).getLangHint());
        }
        assertThat(langs).hasSizeGreaterThan(3);
    }

    @Test
    void captionsDifferAcrossClassesInEveryLanguage() {
        for (String lang : SyntheticPairs.LANGUAGES) {
            Set<String> captions = new HashSet<>();
            for (int s = 0; s < SyntheticPairs.SHAPES.size(); s++) {
                for (int c = 0; c < SyntheticPairs.COLOURS.size(); c++) {
                    captions.add(SyntheticPairs.caption(s, c, lang));
                }
            }
            assertThat(captions).as(lang).hasSize(SyntheticPairs.classCount());
        }
        assertThat(SyntheticPairs.caption(0, 0, "en")).isEqualTo("a red circle");
        assertThat(SyntheticPairs.caption(0, 0, "ja")).isEqualTo("赤い円");
    }

    @Test
    void writesAnEvalSetInThePairsFolderFormat(@TempDir Path dir) {
        long lines = new SyntheticPairs(16).writeEvalSet(dir, 1, 11);
        List<PairsFolder.Entry> entries = PairsFolder.read(dir);
        assertThat(entries).hasSize((int) lines);
        assertThat(lines).isEqualTo(SyntheticPairs.classCount() * SyntheticPairs.LANGUAGES.size());
        assertThat(entries).allMatch(e -> e.classLabel() != null && e.lang() != null);
    }
}
