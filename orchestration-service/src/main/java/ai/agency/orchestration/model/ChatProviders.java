package ai.agency.orchestration.model;

import ai.agency.common.error.AgencyException;
import ai.agency.orchestration.OrchestrationProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.stereotype.Component;

/**
 * The chat models this installation has, by provider name: {@code local} always; {@code openai} when
 * {@code spring.ai.model.chat=openai} enables Spring AI's starter; {@code ollama} and {@code anthropic} when
 * {@link ProviderProperties} configures them ({@link ModelConfig}). Agents pick one with {@code model.provider}; the
 * rest use {@code agency.orchestration.default-provider}.
 */
@Component
public class ChatProviders {

    private final Map<String, ChatModel> models = new LinkedHashMap<>();
    private final String defaultProvider;

    ChatProviders(List<ChatModel> chatModels, OrchestrationProperties properties) {
        chatModels.forEach(model -> models.putIfAbsent(nameOf(model), model));
        this.defaultProvider = properties.defaultProvider();
        if (!models.containsKey(defaultProvider)) {
            throw new IllegalStateException(
                    "agency.orchestration.default-provider is '" + defaultProvider + "' but only " + models.keySet()
                            + " are configured: set spring.ai.model.chat (AGENCY_CHAT_MODEL)");
        }
    }

    public boolean isConfigured(String provider) {
        return models.containsKey(provider);
    }

    public Set<String> names() {
        return models.keySet();
    }

    /** The provider name to use for an agent that asks for {@code provider} (null = the default). */
    public String resolveName(String provider) {
        return provider == null || provider.isBlank() ? defaultProvider : provider;
    }

    public ChatModel get(String provider) {
        ChatModel model = models.get(resolveName(provider));
        if (model == null) {
            throw AgencyException.unavailable(
                    "The chat provider '" + provider + "' is not configured on this installation", null);
        }
        return model;
    }

    static String nameOf(ChatModel model) {
        if (model instanceof LocalChatModel) {
            return "local";
        }
        String type = model.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        for (String known : List.of("openai", "ollama", "anthropic")) {
            if (type.startsWith(known)) {
                return known;
            }
        }
        return type.replace("chatmodel", "");
    }
}
