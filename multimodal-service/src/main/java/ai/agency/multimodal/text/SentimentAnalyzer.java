package ai.agency.multimodal.text;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Lexicon-based sentiment after VADER (Hutto and Gilbert, 2014): each word of the language's lexicon carries a
 * valence; boosters ("very", "extremely") and dampeners ("slightly") within three words before it scale it; a
 * negation within three words before it flips and dampens it (×−0.74); after a contrast word ("but") words count
 * 1.5×, before it 0.5×; exclamation marks add emphasis; words in capitals in mixed-case text add emphasis. The sum
 * {@code s} is normalised to {@code s / sqrt(s² + 15)}. Languages without a lexicon use the English one.
 */
@Component
public class SentimentAnalyzer {

    private static final double NEGATION_SCALAR = -0.74;
    private static final double BOOST = 0.293;
    private static final double CAPS_BOOST = 0.733;
    private static final double NEUTRAL_BAND = 0.05;

    private static final Map<String, Set<String>> NEGATIONS = Map.of(
            "en",
                    Set.of(
                            "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot",
                            "hardly"),
            "fr", Set.of("pas", "jamais", "rien", "aucun", "aucune", "sans", "ni", "personne"),
            "de", Set.of("nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals", "ohne", "nichts"),
            "es", Set.of("no", "nunca", "jamás", "sin", "ni", "tampoco", "nada"));

    private static final Map<String, Double> BOOSTERS = Map.ofEntries(
            Map.entry("very", BOOST),
            Map.entry("really", BOOST),
            Map.entry("extremely", BOOST),
            Map.entry("incredibly", BOOST),
            Map.entry("absolutely", BOOST),
            Map.entry("so", BOOST),
            Map.entry("totally", BOOST),
            Map.entry("completely", BOOST),
            Map.entry("highly", BOOST),
            Map.entry("most", BOOST),
            Map.entry("too", BOOST),
            Map.entry("truly", BOOST),
            Map.entry("slightly", -BOOST),
            Map.entry("somewhat", -BOOST),
            Map.entry("barely", -BOOST),
            Map.entry("little", -BOOST),
            Map.entry("marginally", -BOOST),
            Map.entry("très", BOOST),
            Map.entry("vraiment", BOOST),
            Map.entry("extrêmement", BOOST),
            Map.entry("peu", -BOOST),
            Map.entry("sehr", BOOST),
            Map.entry("wirklich", BOOST),
            Map.entry("äußerst", BOOST),
            Map.entry("etwas", -BOOST),
            Map.entry("muy", BOOST),
            Map.entry("realmente", BOOST),
            Map.entry("extremadamente", BOOST),
            Map.entry("poco", -BOOST));

    private static final Set<String> CONTRASTS =
            Set.of("but", "however", "mais", "cependant", "aber", "jedoch", "pero");

    /** Scores {@code words} (in text order, original case) of a text written in {@code language}. */
    public TextAnalysis.Sentiment score(List<String> words, String language, String text) {
        Map<String, Double> own = Lexicons.valences(language);
        Map<String, Double> lexicon = own != null ? own : Objects.requireNonNull(Lexicons.valences("en")); // ships
        Set<String> negations = Objects.requireNonNull(NEGATIONS.getOrDefault(language, NEGATIONS.get("en")));
        boolean mixedCase = !text.equals(text.toUpperCase(Locale.ROOT));
        int contrastAt = -1;
        String[] lower = new String[words.size()];
        for (int i = 0; i < words.size(); i++) {
            lower[i] = words.get(i).toLowerCase(Locale.ROOT);
            if (CONTRASTS.contains(lower[i])) {
                contrastAt = i;
            }
        }
        double[] valence = new double[words.size()];
        for (int i = 0; i < lower.length; i++) {
            Double base = lexicon.get(lower[i]);
            if (base == null) {
                continue;
            }
            double v = base;
            if (mixedCase
                    && words.get(i).length() > 1
                    && words.get(i).equals(words.get(i).toUpperCase(Locale.ROOT))) {
                v += Math.signum(v) * CAPS_BOOST;
            }
            boolean negated = false;
            for (int back = 1; back <= 3 && i - back >= 0; back++) {
                String previous = lower[i - back];
                Double boost = BOOSTERS.get(previous);
                if (boost != null) {
                    v += Math.signum(v) * boost * (1 - 0.05 * (back - 1));
                }
                if (negations.contains(previous) || previous.endsWith("n't")) {
                    negated = true;
                }
            }
            if (negated) {
                v *= NEGATION_SCALAR;
            }
            if (contrastAt >= 0) {
                v *= i < contrastAt ? 0.5 : i > contrastAt ? 1.5 : 1.0;
            }
            valence[i] = v;
        }
        double sum = 0;
        double positive = 0;
        double negative = 0;
        for (double v : valence) {
            sum += v;
            if (v > 0) {
                positive += v;
            } else {
                negative -= v;
            }
        }
        long exclamations = Math.min(4, text.chars().filter(c -> c == '!').count());
        if (sum != 0) {
            sum += Math.signum(sum) * exclamations * 0.292;
        }
        double compound = sum / Math.sqrt(sum * sum + 15);
        String label = compound >= NEUTRAL_BAND ? "positive" : compound <= -NEUTRAL_BAND ? "negative" : "neutral";
        double confidence;
        if (label.equals("neutral")) {
            confidence = 0.5;
        } else {
            double agreement = (compound > 0 ? positive : negative) / (positive + negative);
            confidence = agreement * Math.min(1.0, 0.5 + Math.abs(compound));
        }
        return new TextAnalysis.Sentiment(round(compound), label, round(confidence));
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
