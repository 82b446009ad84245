package ai.agency.orchestration.model;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The chat providers built here rather than by a Spring AI starter ({@code agency.orchestration.providers.*}), and how
 * a provider's rate limit is retried. A provider exists when its switch is set: {@code ollama.base-url} for Ollama,
 * {@code anthropic.api-key} for Anthropic.
 *
 * @param ollama an Ollama server spoken to with its own API ({@code /api/chat})
 * @param anthropic the Anthropic Messages API (or a server that speaks it)
 * @param retry how a rate-limited model call (HTTP 429) is tried again, for every provider
 */
@Validated
@ConfigurationProperties("agency.orchestration.providers")
public record ProviderProperties(
        @DefaultValue @Valid Ollama ollama,
        @DefaultValue @Valid Anthropic anthropic,
        @DefaultValue @Valid Retry retry) {

    /**
     * @param baseUrl e.g. {@code http://localhost:11434}; empty = no {@code ollama} provider
     * @param model the model of agents that name none, e.g. {@code llama3.1}
     * @param timeout the longest a model call may take (connect and read)
     */
    public record Ollama(
            String baseUrl,
            @DefaultValue("llama3.1") @NotBlank String model,
            @DefaultValue("120s") Duration timeout) {

        public boolean enabled() {
            return baseUrl != null && !baseUrl.isBlank();
        }
    }

    /**
     * @param apiKey the API key ({@code x-api-key}); empty = no {@code anthropic} provider
     * @param baseUrl {@code https://api.anthropic.com} or a compatible server/proxy
     * @param model the model of agents that name none
     * @param maxTokens the longest answer (the Messages API requires a limit)
     * @param timeout the longest a model call may take
     */
    public record Anthropic(
            String apiKey,

            @DefaultValue("https://api.anthropic.com") @NotBlank
            String baseUrl,

            @DefaultValue("claude-sonnet-4-5") @NotBlank String model,
            @DefaultValue("4096") @Min(1) @Max(200000) int maxTokens,
            @DefaultValue("120s") Duration timeout) {

        public boolean enabled() {
            return apiKey != null && !apiKey.isBlank();
        }
    }

    /**
     * @param maxAttempts calls of one model step in all, the first included (1 = never retry)
     * @param maxTotal the longest one step may spend waiting for retries; a {@code Retry-After} beyond it is not
     *     waited for
     * @param initialBackoff the wait before the second attempt when the provider sends no {@code Retry-After};
     *     doubled after each attempt
     * @param maxBackoff the longest single wait
     */
    public record Retry(
            @DefaultValue("3") @Min(1) @Max(10) int maxAttempts,
            @DefaultValue("30s") Duration maxTotal,
            @DefaultValue("1s") Duration initialBackoff,
            @DefaultValue("10s") Duration maxBackoff) {}
}
