package ai.agency.common.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;

class TestJwtsTest {

    private final TestJwts jwts = TestJwts.create();
    private final JwtDecoder decoder = jwts.decoder();

    @Test
    void userTokenCarriesTheClaimsAuthServiceIssues() {
        UUID id = UUID.randomUUID();

        Jwt jwt = decoder.decode(jwts.user(id));

        assertThat(jwt.getSubject()).isEqualTo(id.toString());
        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("user");
        assertThat(jwt.getClaimAsString("scope")).isEqualTo("read write delete");
        assertThat(jwt.getClaimAsString("username"))
                .isEqualTo("user-" + id.toString().substring(0, 8));
        assertThat(jwt.getExpiresAt()).isAfter(Instant.now());
    }

    @Test
    void adminTokenAlsoManagesUsers() {
        Jwt jwt = decoder.decode(jwts.admin(UUID.randomUUID()));

        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("admin", "user");
        assertThat(jwt.getClaimAsString("scope")).contains("manage_users");
    }

    @Test
    void foreignTokenIsRefused() {
        String foreign = jwts.foreign().user(UUID.randomUUID());

        assertThatThrownBy(() -> decoder.decode(foreign)).isInstanceOf(BadJwtException.class);
    }

    @Test
    void tokenWithANegativeLifetimeIsRefusedAsExpired() {
        String expired = jwts.token(UUID.randomUUID(), List.of("user"), Duration.ofMinutes(-10));

        assertThatThrownBy(() -> decoder.decode(expired))
                .isInstanceOf(JwtValidationException.class)
                .hasMessageContaining("expired");
    }
}
