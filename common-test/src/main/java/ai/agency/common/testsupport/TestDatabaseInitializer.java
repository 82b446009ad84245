package ai.agency.common.testsupport;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Points a test's application context at a database of its own (see {@link TestDatabase}). Use it as
 * {@code @ContextConfiguration(initializers = TestDatabaseInitializer.class)} or through {@link DatabaseTest}.
 */
public class TestDatabaseInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        TestDatabase.Coordinates database = TestDatabase.create();
        TestPropertyValues.of(
                        "spring.datasource.url=" + database.url(),
                        "spring.datasource.username=" + database.username(),
                        "spring.datasource.password=" + database.password())
                .applyTo(context);
    }
}
