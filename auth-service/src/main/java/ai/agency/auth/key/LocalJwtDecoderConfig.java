package ai.agency.auth.key;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** auth-service verifies tokens with its own published keys, read from the database instead of over HTTP. */
@Configuration(proxyBeanMethods = false)
class LocalJwtDecoderConfig {

    @Bean
    JwtDecoder jwtDecoder(SigningKeys keys) {
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
        return NimbusJwtDecoder.withJwkSource(source)
                .jwsAlgorithm(SignatureAlgorithm.ES256)
                .build();
    }
}
