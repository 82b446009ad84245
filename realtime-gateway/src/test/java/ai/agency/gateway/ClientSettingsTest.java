package ai.agency.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.client.ServiceClients;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.Environment;
import org.springframework.web.client.RestClient;

/**
 * The gateway's own calls to the services take their settings from {@code agency.clients.<name>} as the gateway's
 * {@code application.yml} sets them: each base URL follows its route's URI unless set itself.
 */
class ClientSettingsTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer()); // the gateway's application.yml

    @Test
    void everyRoutedServiceHasAClientWhoseBaseUrlIsItsRoutesUri() {
        run(clients -> {
            assertThat(clients.settings("auth").baseUrl()).isEqualTo("http://localhost:8081");
            assertThat(clients.settings("memory").baseUrl()).isEqualTo("http://localhost:8082");
            assertThat(clients.settings("tool").baseUrl()).isEqualTo("http://localhost:8083");
            assertThat(clients.settings("orchestration").baseUrl()).isEqualTo("http://localhost:8084");
            assertThat(clients.settings("multimodal").baseUrl()).isEqualTo("http://localhost:8085");
        });
    }

    @Test
    void movingARouteMovesItsClientUnlessTheClientIsSetItself() {
        run(
                clients -> {
                    assertThat(clients.settings("orchestration").baseUrl()).isEqualTo("http://orchestration:9084");
                    assertThat(clients.settings("tool").baseUrl()).isEqualTo("http://tools-direct:9183");
                    assertThat(clients.settings("tool").connectTimeout()).isEqualTo(Duration.ofMillis(700));
                },
                "agency.gateway.routes.orchestration.uri=http://orchestration:9084",
                "agency.gateway.routes.tool.uri=http://tool:9083",
                "agency.clients.tool.base-url=http://tools-direct:9183",
                "agency.clients.tool.connect-timeout=700ms");
    }

    private void run(Consumer<ServiceClients> assertions, String... properties) {
        runner.withPropertyValues(properties).run(context -> assertions.accept(clientsOf(context.getEnvironment())));
    }

    private static ServiceClients clientsOf(Environment environment) {
        return new ServiceClients(
                RestClient.builder(),
                environment,
                CircuitBreakerRegistry.ofDefaults(),
                BulkheadRegistry.ofDefaults(),
                RetryRegistry.ofDefaults());
    }
}
