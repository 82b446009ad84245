package ai.agency.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class AgencyDefaultsEnvironmentPostProcessorTest {

    private final AgencyDefaultsEnvironmentPostProcessor processor = new AgencyDefaultsEnvironmentPostProcessor();

    @Test
    void platformDefaultsApplyWhenTheServiceSaysNothing() {
        StandardEnvironment environment = new StandardEnvironment();

        processor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("spring.threads.virtual.enabled")).isEqualTo("true");
        assertThat(environment.getProperty("server.error.include-stacktrace")).isEqualTo("never");
        assertThat(environment.getProperty("server.error.include-message")).isEqualTo("never");
        assertThat(environment.getProperty("management.endpoints.web.exposure.include"))
                .isEqualTo("health,info,prometheus");
    }

    @Test
    void anyServiceSettingOverridesAPlatformDefault() {
        StandardEnvironment environment = new StandardEnvironment();
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource("service", Map.of("server.shutdown", "immediate")));

        processor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("server.shutdown")).isEqualTo("immediate");
        assertThat(environment.getPropertySources().stream()
                        .reduce((a, b) -> b)
                        .orElseThrow()
                        .getName())
                .isEqualTo(AgencyDefaultsEnvironmentPostProcessor.SOURCE_NAME);
    }

    @Test
    void runningTwiceAddsTheDefaultsOnce() {
        StandardEnvironment environment = new StandardEnvironment();
        int before = environment.getPropertySources().size();

        processor.postProcessEnvironment(environment, new SpringApplication());
        processor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getPropertySources().size()).isEqualTo(before + 1);
    }

    @Test
    void spansAreExportedOnlyWhenAnOtlpEndpointIsSet() {
        StandardEnvironment without = new StandardEnvironment();
        without.getPropertySources().addFirst(new MapPropertySource("env", Map.of("AGENCY_OTLP_ENDPOINT", " ")));
        processor.postProcessEnvironment(without, new SpringApplication());
        // Boot creates the OTLP span exporter only when this property exists
        assertThat(without.containsProperty(AgencyDefaultsEnvironmentPostProcessor.OTLP_ENDPOINT_PROPERTY))
                .isFalse();
        assertThat(without.getProperty("management.tracing.sampling.probability"))
                .isEqualTo("1.0");

        StandardEnvironment with = new StandardEnvironment();
        with.getPropertySources()
                .addFirst(new MapPropertySource(
                        "env",
                        Map.of(
                                "AGENCY_OTLP_ENDPOINT", "http://collector:4318/v1/traces",
                                "AGENCY_TRACE_SAMPLING_PROBABILITY", "0.25")));
        processor.postProcessEnvironment(with, new SpringApplication());
        assertThat(with.getProperty(AgencyDefaultsEnvironmentPostProcessor.OTLP_ENDPOINT_PROPERTY))
                .isEqualTo("http://collector:4318/v1/traces");
        assertThat(with.getProperty("management.tracing.sampling.probability")).isEqualTo("0.25");
    }
}
