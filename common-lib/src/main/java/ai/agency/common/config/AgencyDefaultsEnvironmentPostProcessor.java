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
 * database from {@code AGENCY_DB_*}) as the lowest-precedence property source, so every service starts with the
 * same platform defaults and can still override any of them.
 */
public class AgencyDefaultsEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String SOURCE_NAME = "agencyDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(SOURCE_NAME)) {
            return;
        }
        try {
            Properties defaults =
                    PropertiesLoaderUtils.loadProperties(new ClassPathResource("agency-defaults.properties"));
            environment.getPropertySources().addLast(new PropertiesPropertySource(SOURCE_NAME, defaults));
        } catch (IOException e) {
            throw new UncheckedIOException("agency-defaults.properties is missing from common-lib", e);
        }
    }
}
