package ai.agency.memory.extraction;

import ai.agency.common.text.Sentences;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * The rule-based fact extractor used when no LLM is configured: from the user's own messages it keeps the
 * sentences in which the user states something about themselves (first person), and skips questions, greetings
 * and filler. Each kept sentence is one fact. With an LLM configured, {@link LlmFactExtractor} is used instead (this
 * extractor remains the fallback).
 */
@Component
public class FactExtractor {

    private static final Pattern FIRST_PERSON = Pattern.compile(
            "\\b(i|i'm|i've|i'd|i'll|im|my|mine|me|myself|we|our|ours|us)\\b", Pattern.CASE_INSENSITIVE);
    private static final Set<String> FILLER = Set.of(
            "ok",
            "okay",
            "thanks",
            "thank you",
            "hi",
            "hello",
            "hey",
            "yes",
            "no",
            "sure",
            "great",
            "cool",
            "bye",
            "good morning",
            "good night",
            "lol",
            "hmm");
    private static final Pattern REQUEST = Pattern.compile(
            "^(please|can you|could you|would you|will you|tell me|show me|help me|let me|let's)\\b",
            Pattern.CASE_INSENSITIVE);

    /** Facts stated by the user in these messages, in order, without repeats. */
    public List<String> extract(List<String> userMessages) {
        Set<String> facts = new LinkedHashSet<>();
        for (String message : userMessages) {
            for (String sentence : sentences(message)) {
                if (isFact(sentence)) {
                    facts.add(sentence);
                }
            }
        }
        return new ArrayList<>(facts);
    }

    static boolean isFact(String sentence) {
        String s = sentence.strip();
        String bare = s.replaceAll("[.!?,;:\\s]+$", "").toLowerCase(Locale.ROOT);
        if (s.endsWith("?") || FILLER.contains(bare) || bare.split("\\s+").length < 3) {
            return false;
        }
        if (REQUEST.matcher(bare).find()) {
            return false;
        }
        return FIRST_PERSON.matcher(s).find();
    }

    static List<String> sentences(String text) {
        return Sentences.split(text, Locale.ENGLISH);
    }
}
