package ai.agency.multimodal.text;

import ai.agency.common.text.Sentences;
import ai.agency.multimodal.MultimodalProperties;
import ai.agency.multimodal.enrichment.Enrichments;
import ai.agency.multimodal.safety.Rejections;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.stereotype.Service;

/**
 * Analyses a text: language, sentences and tokens (the JDK's locale-aware {@link BreakIterator}), sentiment,
 * entities, keywords and an extractive summary; an abstractive summary when a summarizer provider is configured.
 */
@Service
public class TextAnalyzer {

    private final LanguageDetector languages;
    private final SentimentAnalyzer sentiment;
    private final EntityExtractor entities;
    private final Enrichments enrichments;
    private final MultimodalProperties properties;

    public TextAnalyzer(
            LanguageDetector languages,
            SentimentAnalyzer sentiment,
            EntityExtractor entities,
            Enrichments enrichments,
            MultimodalProperties properties) {
        this.languages = languages;
        this.sentiment = sentiment;
        this.entities = entities;
        this.enrichments = enrichments;
        this.properties = properties;
    }

    public TextAnalysis analyze(String text) {
        if (text == null || text.isBlank()) {
            throw Rejections.empty("text");
        }
        if (text.length() > properties.maxTextChars()) {
            throw Rejections.tooLarge(
                    "text", "has " + text.length() + " characters; the limit is " + properties.maxTextChars());
        }
        TextAnalysis.LanguageGuess language = languages.detect(text, Lexicons.stopwords());
        Locale locale = Locale.forLanguageTag(language.code());
        List<String> sentences = sentences(text, locale);
        Set<String> stopwords = Lexicons.stopwords(language.code());
        List<String> tokens = new ArrayList<>();
        List<List<String>> contentWords = new ArrayList<>();
        for (String sentence : sentences) {
            List<String> words = words(sentence, locale);
            tokens.addAll(words);
            contentWords.add(words.stream()
                    .map(word -> word.toLowerCase(locale))
                    .filter(word -> word.length() >= 3 && !stopwords.contains(word))
                    .filter(word -> word.codePoints().anyMatch(Character::isLetter))
                    .toList());
        }
        List<String> unavailable = new ArrayList<>();
        String abstractive = null;
        if (enrichments.summarizerConfigured()) {
            abstractive = enrichments.summarize(text).orElse(null);
        }
        if (abstractive == null) {
            unavailable.add("abstractiveSummary");
        }
        return new TextAnalysis(
                language,
                tokens,
                tokens.size(),
                sentences,
                sentiment.score(tokens, language.code(), text),
                entities.extract(text),
                TextRank.keywords(contentWords, properties.keywords()),
                TextRank.summary(sentences, contentWords, properties.summarySentences()),
                abstractive,
                unavailable);
    }

    static List<String> sentences(String text, Locale locale) {
        return Sentences.split(text, locale);
    }

    /** Word tokens: the segments of the word break iterator that contain a letter or a digit. */
    static List<String> words(String text, Locale locale) {
        BreakIterator iterator = BreakIterator.getWordInstance(locale);
        iterator.setText(text);
        List<String> words = new ArrayList<>();
        for (int start = iterator.first(), end = iterator.next();
                end != BreakIterator.DONE;
                start = end, end = iterator.next()) {
            String word = text.substring(start, end);
            if (word.codePoints().anyMatch(Character::isLetterOrDigit)) {
                words.add(word);
            }
        }
        return words;
    }
}
