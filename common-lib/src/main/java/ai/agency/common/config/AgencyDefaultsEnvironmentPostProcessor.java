package ai.agency.common.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertiesPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;

/**
 * Adds {@code agency-defaults.properties} (virtual threads, actuator, metrics tags, histograms, graceful shutdown,
 * database from {@code AGENCY_DB_*}, tracing with its OTLP exporter only when {@code AGENCY_OTLP_ENDPOINT} is set) as
 * the lowest-precedence property source, so every service starts with the
 * same platform defaults and can still override any of them.
 */
public class AgencyDefaultsEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String SOURCE_NAME = "agencyDefaults";
    /** Where spans go (OTLP/HTTP, e.g. http://localhost:4318/v1/traces); unset or blank: no exporter at all. */
    static final String OTLP_ENDPOINT_VARIABLE = "AGENCY_OTLP_ENDPOINT";

    static final String OTLP_ENDPOINT_PROPERTY = "management.opentelemetry.tracing.export.otlp.endpoint";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(SOURCE_NAME)) {
            return;
        }
        try {
            Properties defaults =
                    PropertiesLoaderUtils.loadProperties(new ClassPathResource("agency-defaults.properties"));
            String otlpEndpoint = environment.getProperty(OTLP_ENDPOINT_VARIABLE);
            if (otlpEndpoint != null && !otlpEndpoint.isBlank()) {
                defaults.setProperty(OTLP_ENDPOINT_PROPERTY, otlpEndpoint.trim());
            }
            environment.getPropertySources().addLast(new PropertiesPropertySource(SOURCE_NAME, defaults));
        } catch (IOException e) {
            throw new UncheckedIOException("agency-defaults.properties is missing from common-lib", e);
        }
    }
}
