package io.streamlip.filter.blocklist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.filter.config.BlocklistConfig;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The matching rules: entries, caption terms, image hashes; no Flink, no broker. */
class BlocklistTest {
    private static final String SHA = "ab".repeat(32);

    @Test
    void entriesParseToOneCanonicalForm() {
        assertThat(BlocklistEntry.parse(" SHA256:" + SHA.toUpperCase() + " ").text())
                .isEqualTo("sha256:" + SHA);
        assertThat(BlocklistEntry.parse("phash:00FF00FF00FF00FF").phashValue())
                .isEqualTo(0x00ff00ff00ff00ffL);
        assertThat(BlocklistEntry.phash(-1L).text()).isEqualTo("phash:ffffffffffffffff");
        assertThat(BlocklistEntry.parse("term:  Best   CASINO!! ").text())
                .isEqualTo("term:best casino");
        assertThat(BlocklistEntry.parse("term:Ｃａｓｉｎｏ").value()).isEqualTo("casino");
    }

    @Test
    void malformedEntriesSayWhatIsWrong() {
        assertThatThrownBy(() -> BlocklistEntry.parse("abcdef"))
                .hasMessageContaining("expected sha256:");
        assertThatThrownBy(() -> BlocklistEntry.parse("md5:abc")).hasMessageContaining("md5");
        assertThatThrownBy(() -> BlocklistEntry.parse("sha256:abc"))
                .hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> BlocklistEntry.parse("sha256:" + "zz".repeat(32)))
                .hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> BlocklistEntry.parse("phash:123"))
                .hasMessageContaining("16 hex digits");
        assertThatThrownBy(() -> BlocklistEntry.parse("term: -- !! "))
                .hasMessageContaining("no letter or digit");
        assertThatThrownBy(() -> BlocklistEntry.parse("term:" + "x".repeat(201)))
                .hasMessageContaining("more than 200");
    }

    @Test
    void termsMatchWholeWordsCaseFolded() {
        CaptionTerms terms = new CaptionTerms();
        terms.add(BlocklistEntry.term("ass").value());
        terms.add(BlocklistEntry.term("Online Casino").value());
        terms.add(BlocklistEntry.term("e-mail").value());
        assertThat(terms.find("An ASS in a field")).contains("ass");
        assertThat(terms.find("donkey (ass).")).contains("ass");
        // Inside another word: no match (the substring rule's false refusals).
        assertThat(terms.find("a class of students")).isEmpty();
        assertThat(terms.find("assorted sweets")).isEmpty();
        // Words in a row, whatever lies between them.
        assertThat(terms.find("Best ONLINE  casino, today")).contains("online casino");
        assertThat(terms.find("best online poker casino")).isEmpty();
        assertThat(terms.find("write an E mail")).contains("e mail");
        assertThat(terms.find("online")).isEmpty();
        assertThat(terms.find(null)).isEmpty();
        terms.remove("ass");
        assertThat(terms.find("An ASS in a field")).isEmpty();
        assertThat(terms.size()).isEqualTo(2);
    }

    @Test
    void termsOfScriptsWithoutSpacesMatchWhereverTheyOccur() {
        CaptionTerms terms = new CaptionTerms();
        terms.add(BlocklistEntry.term("赌场").value());
        terms.add(BlocklistEntry.term("Kasino").value());
        assertThat(terms.find("最好的赌场在这里")).contains("赌场");
        assertThat(terms.find("红色的圆形")).isEmpty();
        assertThat(terms.find("KASINO Berlin")).contains("kasino");
        assertThat(terms.find("Kasinostraße")).isEmpty();
    }

    @Test
    void imagesMatchBySha256AndByPerceptualHashWithinTheDistance() {
        Blocklist list = new Blocklist(4, BlocklistConfig.DEFAULT_MAX_ENTRIES);
        list.add(BlocklistEntry.sha256(SHA), "images.txt:3");
        list.add(BlocklistEntry.phash(0L), "blocklist topic, offset 7");
        list.add(BlocklistEntry.term("casino"), "terms.txt:1");

        Optional<Verdict.Refused<Void>> exact = list.check(SHA.toUpperCase(), null, "a cat");
        assertThat(exact).isPresent();
        assertThat(exact.get().reason()).isEqualTo(RejectReason.BLOCKLISTED_IMAGE);
        assertThat(exact.get().detail()).contains(SHA, "images.txt:3");

        assertThat(list.check("cd".repeat(32), 0b1111L, "a cat").get().detail())
                .contains("4 bits", "phash:0000000000000000", "offset 7");
        assertThat(list.check("cd".repeat(32), 0b11111L, "a cat")).isEmpty();
        assertThat(list.check("cd".repeat(32), null, "a cat")).isEmpty();

        Verdict.Refused<Void> caption = list.check(null, null, "Casino night").get();
        assertThat(caption.reason()).isEqualTo(RejectReason.CAPTION_BLOCKLISTED);
        assertThat(caption.detail()).contains("'casino'", "terms.txt:1");

        assertThat(list.remove(BlocklistEntry.phash(0L))).isTrue();
        assertThat(list.remove(BlocklistEntry.phash(0L))).isFalse();
        assertThat(list.check("cd".repeat(32), 0b1111L, "a cat")).isEmpty();
        assertThat(list.size()).isEqualTo(2);
    }

    @Test
    void removingOnePerceptualHashKeepsTheOthers() {
        Blocklist list = new Blocklist(0, BlocklistConfig.DEFAULT_MAX_ENTRIES);
        for (long h = 0; h < 100; h++) {
            list.add(BlocklistEntry.phash(h << 8), "t");
        }
        list.remove(BlocklistEntry.phash(5L << 8));
        list.remove(BlocklistEntry.phash(0L));
        assertThat(list.check(null, 5L << 8, null)).isEmpty();
        assertThat(list.check(null, 0L, null)).isEmpty();
        for (long h = 1; h < 100; h++) {
            if (h != 5) {
                assertThat(list.check(null, h << 8, null)).as("hash %d", h).isPresent();
            }
        }
    }

    @Test
    void theNearestListedHashIsTheOneNamed() {
        Blocklist list = new Blocklist(6, BlocklistConfig.DEFAULT_MAX_ENTRIES);
        list.add(BlocklistEntry.phash(0b111111L), "far.txt:1"); // 6 bits from 0
        list.add(BlocklistEntry.phash(0b11L << 40), "near.txt:1"); // 2 bits from 0
        assertThat(list.check(null, 0L, null).get().detail())
                .contains("2 bits", "phash:0000030000000000", "near.txt:1");
        list.remove(BlocklistEntry.phash(0b11L << 40));
        assertThat(list.check(null, 0L, null).get().detail()).contains("6 bits", "far.txt:1");
    }

    @Test
    void theListIsBounded() {
        Blocklist list = new Blocklist(0, BlocklistConfig.DEFAULT_MAX_ENTRIES);
        for (int i = 0; i < BlocklistConfig.DEFAULT_MAX_ENTRIES; i++) {
            list.add(BlocklistEntry.sha256(String.format("%064x", i)), "t");
        }
        assertThat(list.add(BlocklistEntry.sha256(String.format("%064x", 0)), "t")).isFalse();
        assertThatThrownBy(() -> list.add(BlocklistEntry.term("one more"), "t"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("100000");
        assertThatThrownBy(() -> new Blocklist(33, 10)).hasMessageContaining("[0, 32]");
    }

    @Test
    void theBoundIsTheConfiguredOneAndIsItselfBounded() {
        Blocklist small = new Blocklist(0, 3);
        assertThat(small.maxEntries()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            small.add(BlocklistEntry.term("term" + (char) ('a' + i)), "t");
        }
        assertThatThrownBy(() -> small.add(BlocklistEntry.phash(1L), "t"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds 3 entries");
        // Removing makes room again.
        small.remove(BlocklistEntry.term("terma"));
        assertThat(small.add(BlocklistEntry.phash(1L), "t")).isTrue();
        assertThatThrownBy(() -> new Blocklist(6, 0)).hasMessageContaining("[1, 2000000]");
        assertThatThrownBy(() -> new Blocklist(6, BlocklistConfig.MAX_ENTRIES_LIMIT + 1))
                .hasMessageContaining("[1, 2000000]");
    }

    @Test
    void thePerceptualHashIndexMatchesAtAConfiguredSizeBeyondTheDefault() {
        int n = BlocklistConfig.DEFAULT_MAX_ENTRIES + 50_000;
        Blocklist list = new Blocklist(6, n);
        java.util.Random random = new java.util.Random(7);
        long[] listed = new long[n];
        for (int i = 0; i < n; i++) {
            listed[i] = random.nextLong();
            assertThat(list.add(BlocklistEntry.phash(listed[i]), "big.txt:" + (i + 1)))
                    .as("hash %d", i)
                    .isTrue();
        }
        assertThat(list.size()).isEqualTo(n);
        assertThatThrownBy(() -> list.add(BlocklistEntry.term("over"), "t"))
                .hasMessageContaining("holds " + n + " entries");
        // Near copies of hashes listed first, last and past the old bound all match, and the
        // detail names the listed hash; a hash far from every listed one does not.
        for (int i : new int[] {0, BlocklistConfig.DEFAULT_MAX_ENTRIES, n - 1}) {
            long nearCopy = listed[i] ^ 0b101_0000_0001L; // 3 bits flipped
            var refused = list.check(null, nearCopy, null);
            assertThat(refused).as("entry %d", i).isPresent();
            assertThat(refused.get().detail())
                    .contains("3 bits", BlocklistEntry.phash(listed[i]).toString())
                    .contains("big.txt:" + (i + 1));
        }
        long far = 0;
        for (boolean clear = false; !clear; ) {
            far = random.nextLong();
            clear = true;
            for (long h : listed) {
                if (Long.bitCount(h ^ far) <= 6) {
                    clear = false;
                    break;
                }
            }
        }
        assertThat(list.check(null, far, null)).isEmpty();
    }
}
