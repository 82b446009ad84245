package ai.agency.multimodal.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import opennlp.tools.langdetect.Language;
import opennlp.tools.langdetect.LanguageDetectorME;
import opennlp.tools.langdetect.LanguageDetectorModel;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Language identification with Apache OpenNLP's language detector (model {@code langdetect-183}, 103 languages,
 * character n-grams, maximum entropy), loaded once on first use (~2 s, ~10 MB). Texts shorter than
 * {@value #SHORT_TEXT} characters, where n-gram statistics are unreliable, are decided by stop-word hits when those
 * are decisive.
 */
@Component
public class LanguageDetector {

    static final int SHORT_TEXT = 40;

    private static final Map<String, String> ISO3_TO_ISO1 = iso3ToIso1();

    private volatile @Nullable LanguageDetectorME detector;

    /** The detected language as an ISO 639-1 code where one exists (else ISO 639-3), with a 0..1 confidence. */
    public TextAnalysis.LanguageGuess detect(String text, Map<String, Set<String>> stopwords) {
        String letters = text.replaceAll("[^\\p{L}\\s]", " ").trim();
        if (letters.isEmpty()) {
            return new TextAnalysis.LanguageGuess("und", 0.0);
        }
        if (letters.length() < SHORT_TEXT) {
            TextAnalysis.LanguageGuess byStopwords = byStopwords(letters, stopwords);
            if (byStopwords != null) {
                return byStopwords;
            }
        }
        Language[] ranked = detector().predictLanguages(text);
        double best = ranked[0].getConfidence();
        double second = ranked.length > 1 ? ranked[1].getConfidence() : 0.0;
        double confidence = best + second == 0 ? 0 : best / (best + second);
        return new TextAnalysis.LanguageGuess(toIso1(ranked[0].getLang()), round(confidence));
    }

    private static TextAnalysis.@Nullable LanguageGuess byStopwords(
            String letters, Map<String, Set<String>> stopwords) {
        String[] words = letters.toLowerCase(Locale.ROOT).split("\\s+");
        String bestLanguage = null;
        int best = 0;
        int second = 0;
        int total = 0;
        for (Map.Entry<String, Set<String>> entry : stopwords.entrySet()) {
            int hits = 0;
            for (String word : words) {
                if (entry.getValue().contains(word)) {
                    hits++;
                }
            }
            total += hits;
            if (hits > best) {
                second = best;
                best = hits;
                bestLanguage = entry.getKey();
            } else if (hits > second) {
                second = hits;
            }
        }
        if (bestLanguage == null || best == second) {
            return null;
        }
        return new TextAnalysis.LanguageGuess(bestLanguage, round((double) best / total * 0.8));
    }

    private LanguageDetectorME detector() {
        LanguageDetectorME current = detector;
        if (current == null) {
            synchronized (this) {
                current = detector;
                if (current == null) {
                    try (InputStream in = LanguageDetector.class.getResourceAsStream("/langdetect-183.bin")) {
                        if (in == null) {
                            throw new IllegalStateException("langdetect-183.bin is not on the classpath");
                        }
                        current = new LanguageDetectorME(new LanguageDetectorModel(in));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    detector = current;
                }
            }
        }
        return current;
    }

    static String toIso1(String iso3) {
        return ISO3_TO_ISO1.getOrDefault(iso3, iso3);
    }

    private static Map<String, String> iso3ToIso1() {
        Map<String, String> map = new HashMap<>();
        for (String iso1 : Locale.getISOLanguages()) {
            try {
                map.put(Locale.of(iso1).getISO3Language(), iso1);
            } catch (java.util.MissingResourceException ignored) {
                // a code without a three-letter form
            }
        }
        map.putAll(Map.of("cmn", "zh", "pes", "fa", "lvs", "lv", "ekk", "et", "zsm", "ms", "nob", "nb", "nno", "nn"));
        return map;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
