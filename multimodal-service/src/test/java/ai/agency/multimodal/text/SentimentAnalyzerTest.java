package ai.agency.multimodal.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class SentimentAnalyzerTest {

    private final SentimentAnalyzer analyzer = new SentimentAnalyzer();

    private TextAnalysis.Sentiment score(String text, String language) {
        return analyzer.score(TextAnalyzer.words(text, Locale.forLanguageTag(language)), language, text);
    }

    @Test
    void intensifiersStrengthenAndNegationFlips() {
        double good = score("The food is good.", "en").score();
        double veryGood = score("The food is very good.", "en").score();
        double notGood = score("The food is not good.", "en").score();

        assertThat(veryGood).isGreaterThan(good);
        assertThat(good).isGreaterThan(0);
        assertThat(notGood).isLessThan(0);
    }

    @Test
    void theClauseAfterButWeighsMore() {
        assertThat(score("The room was nice but the staff was rude.", "en").label())
                .isEqualTo("negative");
    }

    @Test
    void otherLanguagesHaveLexiconsAndNegations() {
        assertThat(score("Ce film est vraiment magnifique.", "fr").label()).isEqualTo("positive");
        assertThat(score("Ce n'est pas bon.", "fr").label()).isEqualTo("negative");
        assertThat(score("Das ist nicht gut.", "de").label()).isEqualTo("negative");
        assertThat(score("La comida es excelente.", "es").label()).isEqualTo("positive");
    }
}
