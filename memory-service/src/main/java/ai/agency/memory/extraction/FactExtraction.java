package ai.agency.memory.extraction;

import ai.agency.memory.MemoryProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fact extraction for {@code infer=true}: the configured LLM ({@code agency.memory.extraction.base-url}) when
 * there is one, else — and whenever the LLM is unreachable or answers something unusable — the rule-based
 * {@link FactExtractor}.
 */
@Component
public class FactExtraction {

    private static final Logger log = LoggerFactory.getLogger(FactExtraction.class);

    private final FactExtractor rules;
    private final @Nullable LlmFactExtractor llm;
    private final Counter llmCount;
    private final Counter rulesCount;
    private final Counter fallbackCount;

    FactExtraction(FactExtractor rules, MemoryProperties properties, JsonMapper json, MeterRegistry meters) {
        this.rules = rules;
        this.llm = properties.extraction().configured() ? new LlmFactExtractor(properties, json) : null;
        String name = "agency_memory_extractions";
        this.llmCount = meters.counter(name, "extractor", "llm");
        this.rulesCount = meters.counter(name, "extractor", "rules");
        this.fallbackCount = meters.counter(name, "extractor", "rules_fallback");
    }

    /** Whether facts come from an LLM, which can also tell which current memories a fact supersedes. */
    public boolean usesLlm() {
        return llm != null;
    }

    /**
     * Facts from the conversation; {@code userTexts} are its user messages (for the rule-based extractor),
     * {@code current} memories of the user that a fact may supersede (only the LLM tells; see
     * {@link LlmFactExtractor.Fact}).
     */
    public List<LlmFactExtractor.Fact> extract(
            List<LlmFactExtractor.Turn> conversation, List<String> userTexts, List<String> current) {
        if (llm != null) {
            try {
                List<LlmFactExtractor.Fact> facts = llm.extract(conversation, current);
                llmCount.increment();
                return facts;
            } catch (LlmFactExtractor.ExtractionFailedException e) {
                log.warn("LLM fact extraction failed, using the rule-based extractor: {}", e.getMessage());
                fallbackCount.increment();
                return byRules(userTexts);
            }
        }
        rulesCount.increment();
        return byRules(userTexts);
    }

    private List<LlmFactExtractor.Fact> byRules(List<String> userTexts) {
        return rules.extract(userTexts).stream().map(LlmFactExtractor.Fact::of).toList();
    }
}
