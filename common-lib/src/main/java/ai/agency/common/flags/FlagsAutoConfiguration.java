package ai.agency.common.flags;

import java.net.URI;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Feature flags in every service: a {@link Flags} bean always; with {@code agency.flags.source=http} its flags come
 * from auth-service ({@link HttpFlagStore}), otherwise there are none and every evaluation answers its default.
 */
@AutoConfiguration
@EnableConfigurationProperties(FlagsProperties.class)
public class FlagsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(FlagStore.class)
    @ConditionalOnProperty(name = "agency.flags.source", havingValue = "http")
    HttpFlagStore httpFlagStore(FlagsProperties properties, Environment environment) {
        return new HttpFlagStore(authBaseUrl(properties, environment), properties);
    }

    @Bean
    @ConditionalOnMissingBean
    Flags flags(org.springframework.beans.factory.ObjectProvider<FlagStore> store) {
        return new Flags(store.getIfAvailable(() -> FlagStore.EMPTY));
    }

    /** The explicit URL, else auth-service's client base URL, else the origin of the JWKS URI. */
    static URI authBaseUrl(FlagsProperties properties, Environment environment) {
        if (!properties.url().isBlank()) {
            return URI.create(properties.url().trim());
        }
        String base = environment.getProperty("agency.clients.auth.base-url", "");
        if (base.isBlank()) {
            URI jwks = URI.create(
                    environment.getProperty("agency.security.jwks-uri", "http://localhost:8081/.well-known/jwks.json"));
            base = jwks.getScheme() + "://" + jwks.getRawAuthority();
        }
        return URI.create(base.trim());
    }
}
