package ai.agency.common.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The warm-up runs while readiness still refuses traffic; a database not up yet does not stop it, a failing step does. */
class WarmUpRunnerTest {

    static final List<String> events = new CopyOnWriteArrayList<>();

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ApplicationAvailabilityAutoConfiguration.class, WarmUpAutoConfiguration.class})
    static class Service {

        @Bean
        WarmUp hotPath(ApplicationAvailability availability) {
            return () -> events.add("warm-up while " + availability.getReadinessState());
        }

        @Bean
        ApplicationListener<ApplicationReadyEvent> ready() {
            return event -> events.add("application ready");
        }

        @Bean
        ApplicationListener<AvailabilityChangeEvent<ReadinessState>> readiness() {
            return event -> events.add("readiness " + event.getState());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BrokenStep {

        @Bean
        WarmUp aModelOfTheWrongSize() {
            return () -> {
                throw new IllegalStateException("the model makes vectors of 16 dimensions, not 24");
            };
        }
    }

    /** A database that is not up yet: PostgreSQL's driver against a port nobody listens on. */
    @Configuration(proxyBeanMethods = false)
    static class DatabaseDown {

        @Bean
        DataSource dataSource() throws IOException {
            int closedPort;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            return new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:" + closedPort + "/agency", "agency", "x");
        }
    }

    @BeforeEach
    void clear() {
        events.clear();
    }

    @Test
    void warmUpRunsBeforeTheServiceAcceptsTraffic() {
        try (ConfigurableApplicationContext context = start(Service.class)) {
            assertThat(events)
                    .containsExactly(
                            "warm-up while REFUSING_TRAFFIC", "application ready", "readiness ACCEPTING_TRAFFIC");
            assertThat(context.getBean(ApplicationAvailability.class).getReadinessState())
                    .isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
        }
    }

    @Test
    void aDatabaseThatIsNotUpYetDoesNotKeepTheServiceFromBecomingReady() {
        try (ConfigurableApplicationContext context = start(DatabaseDown.class, Service.class)) {
            assertThat(events)
                    .containsExactly(
                            "warm-up while REFUSING_TRAFFIC", "application ready", "readiness ACCEPTING_TRAFFIC");
        }
    }

    @Test
    void aStepThatThrowsStopsTheStartAsAnyRunnerWould() {
        assertThatThrownBy(() -> start(BrokenStep.class, Service.class).close()).hasMessageContaining("16 dimensions");
        assertThat(events).doesNotContain("application ready");
    }

    @Test
    void warmUpCanBeTurnedOff() {
        try (ConfigurableApplicationContext context = start(Service.class, "--agency.warm-up.enabled=false")) {
            assertThat(context.getBeansOfType(WarmUpRunner.class)).isEmpty();
            assertThat(events).containsExactly("application ready", "readiness ACCEPTING_TRAFFIC");
        }
    }

    private static ConfigurableApplicationContext start(Class<?> configuration, String... args) {
        return new SpringApplicationBuilder(configuration)
                .web(WebApplicationType.NONE)
                .run(args);
    }

    private static ConfigurableApplicationContext start(Class<?> first, Class<?> second) {
        return new SpringApplicationBuilder(first, second)
                .web(WebApplicationType.NONE)
                .run();
    }
}
