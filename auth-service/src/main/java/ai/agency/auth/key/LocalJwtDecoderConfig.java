package ai.agency.auth.key;

import ai.agency.common.security.AgencySecurityProperties;
import ai.agency.common.security.CachingJwtDecoder;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * auth-service verifies tokens with its own published keys, read from the database ({@link PublishedKeySource})
 * instead of over HTTP.
 */
@Configuration(proxyBeanMethods = false)
class LocalJwtDecoderConfig {

    @Bean
    JwtDecoder jwtDecoder(SigningKeys keys, AgencySecurityProperties security, ObjectProvider<MeterRegistry> meters) {
        JWKSource<SecurityContext> source = new PublishedKeySource(keys);
        JwtDecoder verifier = NimbusJwtDecoder.withJwkSource(source)
                .jwsAlgorithm(SignatureAlgorithm.ES256)
                .build();
        // Verified tokens are remembered as in every other service, which also spares the key query per request.
        // No change in what is accepted: a retired key stays published until after the last token it signed
        // expires, and the cache never serves a token past its exp.
        return CachingJwtDecoder.wrap(
                verifier,
                security.tokenCache().maxEntries(),
                security.tokenCache().maxAge(),
                meters.getIfAvailable());
    }
}
