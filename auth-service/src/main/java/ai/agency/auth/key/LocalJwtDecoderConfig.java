package ai.agency.auth.key;

import ai.agency.common.security.AgencySecurityProperties;
import ai.agency.common.security.CachingJwtDecoder;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** auth-service verifies tokens with its own published keys, read from the database instead of over HTTP. */
@Configuration(proxyBeanMethods = false)
class LocalJwtDecoderConfig {

    @Bean
    JwtDecoder jwtDecoder(SigningKeys keys, AgencySecurityProperties security, ObjectProvider<MeterRegistry> meters) {
        JWKSource<SecurityContext> source = (selector, context) -> {
            List<String> kids = new ArrayList<>();
            List<ECPublicKey> published = keys.publishedKeys(kids);
            List<JWK> jwks = new ArrayList<>();
            for (int i = 0; i < published.size(); i++) {
                jwks.add(new ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, published.get(i))
                        .keyID(kids.get(i))
                        .build());
            }
            return selector.select(new JWKSet(jwks));
        };
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
