package ai.agency.tool.builtin;

import ai.agency.common.client.ServiceClients;
import ai.agency.common.client.memory.MemoryClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.PostExchange;
import tools.jackson.databind.JsonNode;

/**
 * The downstream services the built-ins call, through common-lib's resilient {@link ServiceClients} (memory-service's
 * client is common-lib's {@link MemoryClient}); the bearer token is passed explicitly so a tool acts as its caller on
 * any thread.
 */
@Configuration(proxyBeanMethods = false)
class DownstreamClients {

    /** multimodal-service. */
    interface MultimodalClient {

        @PostExchange("/api/v1/analyze/text")
        JsonNode analyzeText(@RequestHeader(HttpHeaders.AUTHORIZATION) String bearer, @RequestBody JsonNode body);
    }

    @Bean
    MemoryClient memoryClient(ServiceClients clients) {
        return clients.create("memory", MemoryClient.class);
    }

    @Bean
    MultimodalClient multimodalClient(ServiceClients clients) {
        return clients.create("multimodal", MultimodalClient.class);
    }
}
