package ai.agency.orchestration.chat;

import ai.agency.common.client.ServiceClients;
import ai.agency.common.client.memory.MemoryClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.PostExchange;
import tools.jackson.databind.JsonNode;

/**
 * The services one chat turn calls, through common-lib's resilient clients (memory-service's client is common-lib's
 * {@link MemoryClient}). The bearer token is always passed
 * explicitly, so a call acts as the user on any thread (memory extraction runs after the request has ended).
 */
@Configuration(proxyBeanMethods = false)
class Downstreams {

    /** tool-service. */
    interface ToolClient {

        @GetExchange("/api/v1/tools")
        JsonNode list(@RequestHeader(HttpHeaders.AUTHORIZATION) String bearer);

        /** {@code idempotencyKey}: null for none; a repeat with the same key gets the first call's result. */
        @PostExchange("/api/v1/tools/{name}/execute")
        JsonNode execute(
                @RequestHeader(HttpHeaders.AUTHORIZATION) String bearer,
                @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
                @PathVariable String name,
                @RequestBody JsonNode body);
    }

    /** auth-service: the caller's profile and preferences. */
    interface AuthClient {

        @GetExchange("/api/v1/users/me")
        JsonNode me(@RequestHeader(HttpHeaders.AUTHORIZATION) String bearer);
    }

    @Bean
    AuthClient authClient(ServiceClients clients) {
        return clients.create("auth", AuthClient.class);
    }

    @Bean
    MemoryClient memoryClient(ServiceClients clients) {
        return clients.create("memory", MemoryClient.class);
    }

    @Bean
    ToolClient toolClient(ServiceClients clients) {
        return clients.create("tool", ToolClient.class);
    }
}
