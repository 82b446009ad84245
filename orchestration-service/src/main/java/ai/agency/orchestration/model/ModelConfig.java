package ai.agency.orchestration.model;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.AnthropicClientAsync;
import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.ChannelOption;
import java.net.http.HttpClient;
import org.springframework.ai.anthropic.AnthropicChatModel;
import org.springframework.ai.anthropic.AnthropicChatOptions;
import org.springframework.ai.anthropic.AnthropicSetup;
import org.springframework.ai.ollama.OllamaChatModel;
import org.springframework.ai.ollama.api.OllamaApi;
import org.springframework.ai.ollama.api.OllamaChatOptions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.DefaultResponseErrorHandler;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chat models: {@code local} always; {@code ollama} and {@code anthropic} built here from
 * {@link ProviderProperties} (no Spring AI starter, so nothing needs a global key unless it is used); {@code openai}
 * comes from Spring AI's starter when {@code spring.ai.model.chat=openai}. Provider clients never retry on their own:
 * {@code chat.ProviderRetry} retries rate limits within {@code agency.orchestration.providers.retry}.
 */
@Configuration(proxyBeanMethods = false)
class ModelConfig {

    @Bean
    LocalChatModel localChatModel(
            JsonMapper json,
            @org.springframework.beans.factory.annotation.Value("${agency.orchestration.local.chunk-interval:0ms}")
                    java.time.Duration chunkInterval) {
        return new LocalChatModel(json, chunkInterval);
    }

    @Bean
    @ConditionalOnExpression("'${agency.orchestration.providers.ollama.base-url:}' != ''")
    OllamaChatModel ollamaChatModel(ProviderProperties properties, ObjectProvider<ObservationRegistry> observations) {
        ProviderProperties.Ollama ollama = properties.ollama();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(ollama.timeout())
                .build();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
        requests.setReadTimeout(ollama.timeout());
        // Reactor Netty closes the connection when a stream is cancelled, so the server stops generating
        ReactorClientHttpConnector connector =
                new ReactorClientHttpConnector(reactor.netty.http.client.HttpClient.create()
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                                ollama.timeout().toMillis())
                        .responseTimeout(ollama.timeout()));
        OllamaApi api = OllamaApi.builder()
                .baseUrl(ollama.baseUrl())
                .restClientBuilder(RestClient.builder().requestFactory(requests))
                .webClientBuilder(WebClient.builder().clientConnector(connector))
                // Spring's own exceptions keep the status and headers (Retry-After) for ProviderRetry
                .responseErrorHandler(new DefaultResponseErrorHandler())
                .build();
        return OllamaChatModel.builder()
                .ollamaApi(api)
                .options(OllamaChatOptions.builder().model(ollama.model()).build())
                .retryTemplate(new RetryTemplate(RetryPolicy.withMaxRetries(0)))
                .observationRegistry(observations.getIfAvailable(() -> ObservationRegistry.NOOP))
                .build();
    }

    @Bean
    @ConditionalOnExpression("'${agency.orchestration.providers.anthropic.api-key:}' != ''")
    AnthropicChatModel anthropicChatModel(
            ProviderProperties properties, ObjectProvider<ObservationRegistry> observations) {
        ProviderProperties.Anthropic anthropic = properties.anthropic();
        AnthropicClient client = AnthropicSetup.setupSyncClient(
                anthropic.baseUrl(), anthropic.apiKey(), anthropic.timeout(), 0, null, null);
        AnthropicClientAsync async = AnthropicSetup.setupAsyncClient(
                anthropic.baseUrl(), anthropic.apiKey(), anthropic.timeout(), 0, null, null);
        return AnthropicChatModel.builder()
                .anthropicClient(client)
                .anthropicClientAsync(async)
                .options(AnthropicChatOptions.builder()
                        .model(anthropic.model())
                        .maxTokens(anthropic.maxTokens())
                        .build())
                .observationRegistry(observations.getIfAvailable(() -> ObservationRegistry.NOOP))
                .build();
    }
}
