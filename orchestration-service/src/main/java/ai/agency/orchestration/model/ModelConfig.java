package ai.agency.orchestration.model;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class ModelConfig {

    @Bean
    LocalChatModel localChatModel(JsonMapper json) {
        return new LocalChatModel(json);
    }
}
