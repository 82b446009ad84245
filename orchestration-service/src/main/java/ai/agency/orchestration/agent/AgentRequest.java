package ai.agency.orchestration.agent;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Body of POST/PUT /api/v1/agents. {@code shared} (publish to every user) is for admins only. */
public record AgentRequest(
        @NotBlank @Size(max = 100) String name,
        @Size(max = 2000) String description,
        @Size(max = 50) List<@NotBlank @Size(max = 64) String> capabilities,
        @Size(max = 20000) String systemPrompt,
        @Valid ModelRequest model,
        @Size(max = 50) List<@NotBlank @Size(max = 64) String> tools,
        Boolean shared) {

    /** {@code {provider, name, temperature}}. */
    public record ModelRequest(
            @Pattern(
                    regexp = "local|openai|ollama|anthropic",
                    message = "must be one of local, openai, ollama, anthropic")
            String provider,

            @Size(max = 200) String name,
            @DecimalMin("0") @DecimalMax("2") Double temperature) {}
}
