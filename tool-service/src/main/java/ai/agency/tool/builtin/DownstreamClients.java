package ai.agency.tool.builtin;

import ai.agency.common.client.ServiceClients;
import ai.agency.common.client.memory.MemoryClient;
import ai.agency.common.client.multimodal.MultimodalClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The downstream services the built-ins call, through common-lib's resilient {@link ServiceClients} and its typed
 * declarations of their APIs ({@link MemoryClient}, {@link MultimodalClient}); the bearer token is passed explicitly
 * so a tool acts as its caller on any thread.
 */
@Configuration(proxyBeanMethods = false)
class DownstreamClients {

    @Bean
    MemoryClient memoryClient(ServiceClients clients) {
        return clients.create("memory", MemoryClient.class);
    }

    @Bean
    MultimodalClient multimodalClient(ServiceClients clients) {
        return clients.create("multimodal", MultimodalClient.class);
    }
}
