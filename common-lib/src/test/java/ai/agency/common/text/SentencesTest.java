package ai.agency.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class SentencesTest {

    @Test
    void splitsOnSentenceEndsNotOnAbbreviationsOrNumbers() {
        assertThat(Sentences.split("I live in Berlin.  My dog costs 3.50 a day!  Why?", Locale.ENGLISH))
                .containsExactly("I live in Berlin.", "My dog costs 3.50 a day!", "Why?");
    }

    @Test
    void blankTextHasNoSentences() {
        assertThat(Sentences.split("   \n ", Locale.ENGLISH)).isEmpty();
        assertThat(Sentences.split("", Locale.GERMAN)).isEmpty();
    }
}
