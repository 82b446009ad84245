package ai.agency.auth.key;

import ai.agency.common.security.AgencySecurityProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Publishes the public signing keys so every service can verify access tokens. */
@RestController
class JwksController {

    private final SigningKeys keys;
    private final AgencySecurityProperties security;

    JwksController(SigningKeys keys, AgencySecurityProperties security) {
        this.keys = keys;
        this.security = security;
    }

    /**
     * OpenID Connect discovery (the parts a resource server reads), so a standard resource server can be pointed at
     * the platform with Spring's {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}: the issuer every token
     * carries, and where its keys are (through the gateway, which routes both paths).
     */
    @GetMapping("/.well-known/openid-configuration")
    ResponseEntity<Map<String, Object>> openidConfiguration() {
        String issuer = security.issuer().replaceAll("/+$", "");
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", security.issuer());
        document.put("jwks_uri", issuer + "/api/v1/auth/jwks");
        document.put("token_endpoint", issuer + "/api/v1/auth/login");
        document.put("response_types_supported", List.of("token"));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported", List.of("ES256"));
        document.put("token_endpoint_auth_methods_supported", List.of("none"));
        document.put("scopes_supported", List.of("read", "write", "delete", "manage_users"));
        document.put(
                "claims_supported",
                List.of("iss", "aud", "sub", "username", "roles", "scope", "jti", "iat", "exp", "ver", "api_key_id"));
        return ResponseEntity.ok()
                .cacheControl(CacheControl.maxAge(5, TimeUnit.MINUTES).cachePublic())
                .body(document);
    }

    @GetMapping(path = {"/.well-known/jwks.json", "/api/v1/auth/jwks"})
    ResponseEntity<Map<String, Object>> jwks() {
        return ResponseEntity.ok()
                .cacheControl(CacheControl.maxAge(5, TimeUnit.MINUTES).cachePublic())
                .body(keys.jwks());
    }
}
