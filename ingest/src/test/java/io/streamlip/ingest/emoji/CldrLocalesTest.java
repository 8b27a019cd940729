package io.streamlip.ingest.emoji;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CldrLocalesTest {
    @Test
    void turnsCldrIdsIntoBcp47Tags() {
        assertThat(CldrLocales.toBcp47("en")).isEqualTo("en");
        assertThat(CldrLocales.toBcp47("zh_Hant")).isEqualTo("zh-Hant");
        assertThat(CldrLocales.toBcp47("zh-hant-hk")).isEqualTo("zh-Hant-HK");
        assertThat(CldrLocales.toBcp47("pt_PT")).isEqualTo("pt-PT");
        assertThat(CldrLocales.toBcp47("en-001")).isEqualTo("en-001");
        assertThat(CldrLocales.toBcp47("es-419")).isEqualTo("es-419");
        assertThat(CldrLocales.toBcp47("ca-ES-valencia")).isEqualTo("ca-ES-valencia");
        assertThat(CldrLocales.toBcp47("sr-Latn-BA")).isEqualTo("sr-Latn-BA");
        assertThat(CldrLocales.toBcp47("he")).isEqualTo("he");
        assertThat(CldrLocales.toBcp47("root")).isEqualTo("und");
        assertThat(CldrLocales.toBcp47("und")).isEqualTo("und");
    }
}
