package ai.agency.common.crypto;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Gives a service that declares {@link MasterKey.Settings} its {@link MasterKey}; the {@code prod} profile refuses the
 * development key here, once for every service. Services that seal nothing declare no settings and get no key.
 */
@AutoConfiguration
@ConditionalOnBean(MasterKey.Settings.class)
public class MasterKeyAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MasterKey masterKey(MasterKey.Settings settings, Environment environment) {
        return new MasterKey(settings, environment.matchesProfiles("prod"));
    }
}
