package ai.agency.orchestration.chat;

import ai.agency.common.client.ServiceClients;
import ai.agency.common.client.auth.AuthClient;
import ai.agency.common.client.memory.MemoryClient;
import ai.agency.common.client.tool.ToolClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The services one chat turn calls, through common-lib's resilient clients and its typed declarations of their APIs
 * ({@link AuthClient}, {@link MemoryClient}, {@link ToolClient}). The bearer token is always passed explicitly, so a
 * call acts as the user on any thread (memory extraction runs after the request has ended).
 */
@Configuration(proxyBeanMethods = false)
class Downstreams {

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
