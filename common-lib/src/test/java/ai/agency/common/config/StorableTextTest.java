package ai.agency.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StorableTextTest {

    @Test
    void textPostgresqlStoresExactlyHasNoProblem() {
        assertThat(StorableText.problem("")).isNull();
        assertThat(StorableText.problem("plain ascii; DROP TABLE x; --")).isNull();
        assertThat(StorableText.problem("🐝")).isNull(); // a surrogate pair alone
        assertThat(StorableText.problem("ends with an emoji 🌊")).isNull();
        assertThat(StorableText.problem("日本語 ключ naïve \u200b zero-width \u0001 control"))
                .isNull();
    }

    @Test
    void nulAndUnpairedSurrogatesAnywhereAreNamed() {
        assertThat(StorableText.problem("\u0000")).contains("NUL character (U+0000)");
        assertThat(StorableText.problem("end\u0000")).contains("NUL character");
        assertThat(StorableText.problem("ends with a high surrogate \ud83d")).contains("unpaired surrogate (\\ud83d)");
        assertThat(StorableText.problem("\udc00 starts with a low one")).contains("unpaired surrogate (\\udc00)");
        assertThat(StorableText.problem("two highs \ud83d\ud83d\udc1d")).contains("unpaired surrogate (\\ud83d)");
        assertThat(StorableText.problem("🐝\ude00")).contains("unpaired surrogate (\\ude00)");
    }
}
