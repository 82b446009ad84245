package ai.agency.orchestration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * All settings of orchestration-service ({@code agency.orchestration.*}).
 *
 * @param defaultProvider the chat provider of agents that name none: {@code local}, {@code openai}, ...
 * @param defaultModel the model name of agents that name none (ignored by {@code local})
 * @param maxToolRounds how many times one turn may go model → tools → model before the model must answer
 * @param historyMessages how many recent messages of the conversation the prompt window keeps
 * @param maxContentLength the longest user message accepted, in characters
 * @param recallLimit how many memories are recalled for one turn
 * @param extractMemories whether new memories are extracted from each turn (memory-service add, infer=true)
 * @param toolsCacheTtl how long the list of tools from tool-service is reused
 */
@Validated
@ConfigurationProperties("agency.orchestration")
public record OrchestrationProperties(
        @DefaultValue("local") @NotBlank String defaultProvider,
        @DefaultValue("gpt-4o-mini") @NotBlank String defaultModel,
        @DefaultValue("4") @Min(1) @Max(20) int maxToolRounds,
        @DefaultValue("20") @Min(2) @Max(200) int historyMessages,
        @DefaultValue("8000") @Min(1) @Max(100000) int maxContentLength,
        @DefaultValue("5") @Min(0) @Max(50) int recallLimit,
        @DefaultValue("true") boolean extractMemories,
        @DefaultValue("60s") Duration toolsCacheTtl) {}
