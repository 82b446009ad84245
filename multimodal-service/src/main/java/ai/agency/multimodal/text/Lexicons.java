package ai.agency.multimodal.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The word lists shipped in the jar: stop words and sentiment valences per language (small, loaded at start). */
final class Lexicons {

    static final List<String> STOPWORD_LANGUAGES = List.of("en", "fr", "de", "es", "it", "pt");
    static final List<String> SENTIMENT_LANGUAGES = List.of("en", "fr", "de", "es");

    private static final Map<String, Set<String>> STOPWORDS = loadStopwords();
    private static final Map<String, Map<String, Double>> VALENCES = loadValences();

    private Lexicons() {}

    static Map<String, Set<String>> stopwords() {
        return STOPWORDS;
    }

    static Set<String> stopwords(String language) {
        return java.util.Objects.requireNonNull(STOPWORDS.getOrDefault(language, STOPWORDS.get("en"))); // "en" ships
    }

    /** Valences (−4..4, VADER's scale) for {@code language}, or null when there is no lexicon for it. */
    static @Nullable Map<String, Double> valences(String language) {
        return VALENCES.get(language);
    }

    private static Map<String, Set<String>> loadStopwords() {
        Map<String, Set<String>> map = new LinkedHashMap<>();
        for (String language : STOPWORD_LANGUAGES) {
            map.put(
                    language,
                    lines("/text/stopwords-" + language + ".txt").stream()
                            .filter(line -> !line.isBlank())
                            .collect(Collectors.toUnmodifiableSet()));
        }
        return Map.copyOf(map);
    }

    private static Map<String, Map<String, Double>> loadValences() {
        Map<String, Map<String, Double>> map = new HashMap<>();
        for (String language : SENTIMENT_LANGUAGES) {
            Map<String, Double> valences = new HashMap<>();
            for (String line : lines("/text/sentiment-" + language + ".tsv")) {
                String[] parts = line.split("\t");
                if (parts.length == 2) {
                    valences.put(parts[0], Double.parseDouble(parts[1]));
                }
            }
            map.put(language, Map.copyOf(valences));
        }
        return Map.copyOf(map);
    }

    private static List<String> lines(String resource) {
        try (InputStream in = Lexicons.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .map(String::trim)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
