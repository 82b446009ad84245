package ai.agency.common.testsupport;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Test contexts close without common-lib's readiness grace (3 s each, while nothing balances in front of them): it is
 * 0 here, just above the platform defaults, so a test that wants one sets {@code agency.shutdown.readiness-grace}.
 */
public class TestShutdownDefaults implements EnvironmentPostProcessor {

    static final String SOURCE_NAME = "agencyTestShutdownDefaults";
    private static final String PLATFORM_DEFAULTS = "agencyDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        var sources = environment.getPropertySources();
        if (sources.contains(SOURCE_NAME)) {
            return;
        }
        MapPropertySource defaults =
                new MapPropertySource(SOURCE_NAME, Map.of("agency.shutdown.readiness-grace", "0s"));
        if (sources.contains(PLATFORM_DEFAULTS)) {
            sources.addBefore(PLATFORM_DEFAULTS, defaults);
        } else {
            sources.addLast(defaults); // the platform defaults come later, after it (below it)
        }
    }
}
