package ai.agency.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class MasterKeyAutoConfigurationTest {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MasterKeyAutoConfiguration.class));

    private record Settings(String masterKey, boolean allowInsecureDevelopmentMasterKey, boolean requireMasterKey)
            implements MasterKey.Settings {

        @Override
        public String sealedWhat() {
            return "a test secret";
        }
    }

    @Test
    void aServiceThatSealsNothingGetsNoKeyAndNeedsNone() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MasterKey.class));
    }

    @Test
    void aServiceWithSettingsGetsAKeyThatSealsAndOpens() {
        runner.withBean(Settings.class, () -> new Settings(SecretSealer.newMasterKey(), false, false))
                .run(context -> {
                    MasterKey key = context.getBean(MasterKey.class);
                    assertThat(key.decrypt(key.encrypt(new byte[] {1, 2, 3}))).containsExactly(1, 2, 3);
                });
    }

    @Test
    void withoutAKeyTheServiceRefusesToStartAndSaysWhatItSeals() {
        runner.withBean(Settings.class, () -> new Settings("", false, false))
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("AGENCY_MASTER_KEY is not set")
                        .hasStackTraceContaining("a test secret"));
    }

    @Test
    void theProdProfileRefusesTheDevelopmentKeyEvenWhenTheSettingsAskForIt() {
        runner.withBean(Settings.class, () -> new Settings("", true, false))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(MasterKey.class));
        runner.withBean(Settings.class, () -> new Settings("", true, false))
                .withPropertyValues("spring.profiles.active=prod")
                .run(context ->
                        assertThat(context).getFailure().hasStackTraceContaining("AGENCY_MASTER_KEY is not set"));
    }
}
