package ai.agency.common.text;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text into sentences with the JDK's locale-aware {@link BreakIterator}: memory-service's fact extraction and
 * multimodal-service's text analysis read the same sentences.
 */
public final class Sentences {

    private Sentences() {}

    /** The sentences of {@code text} in {@code locale}'s rules, stripped, without empty ones. */
    public static List<String> split(String text, Locale locale) {
        BreakIterator iterator = BreakIterator.getSentenceInstance(locale);
        iterator.setText(text);
        List<String> sentences = new ArrayList<>();
        for (int start = iterator.first(), end = iterator.next();
                end != BreakIterator.DONE;
                start = end, end = iterator.next()) {
            String sentence = text.substring(start, end).strip();
            if (!sentence.isEmpty()) {
                sentences.add(sentence);
            }
        }
        return sentences;
    }
}
