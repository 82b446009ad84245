package ai.agency.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.auth.AuthProperties;
import ai.agency.auth.AuthProperties.OidcProvider;
import ai.agency.auth.AuthProperties.ProviderType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Provider settings refused at start-up, and the usernames derived from what a provider says. */
class ProviderSettingsTest {

    private static OidcProvider provider(ProviderType type, String issuer, Map<String, String> roleMapping) {
        return new OidcProvider(
                "Name", type, issuer, "client", "secret", List.of(), "groups", roleMapping, "a", "t", "u");
    }

    @Test
    void aRoleMappingToAnUnknownRoleIsRefused() {
        assertThatThrownBy(() -> provider(ProviderType.OIDC, "https://sso.example", Map.of("g", "superuser")))
                .hasMessageContaining("superuser");
    }

    @Test
    void anOidcProviderNeedsAnIssuerAndScopesDefaultPerType() {
        assertThatThrownBy(() -> provider(ProviderType.OIDC, null, Map.of())).hasMessageContaining("issuer-uri");
        assertThat(provider(ProviderType.GITHUB, null, Map.of()).scopes()).containsExactly("read:user", "user:email");
        assertThat(provider(ProviderType.OIDC, "https://sso.example", Map.of()).scopes())
                .containsExactly("openid", "email", "profile");
    }

    @Test
    void providerIdsAreLowerCaseLettersAndDigits() {
        OidcProvider ok = provider(ProviderType.OIDC, "https://sso.example", Map.of());
        assertThat(new AuthProperties.Oidc(Map.of("keycloak2", ok)).providers()).containsKey("keycloak2");
        for (String id : List.of("Key", "key-cloak", "../x", "")) {
            assertThatThrownBy(() -> new AuthProperties.Oidc(Map.of(id, ok)))
                    .as(id)
                    .hasMessageContaining("id");
        }
    }

    @Test
    void usernamesFollowThePlatformsRule() {
        assertThat(Usernames.base("Zoë Ångström", null)).isEqualTo("zoe_angstrom");
        assertThat(Usernames.base(null, "J.Doe+tag@example.org")).isEqualTo("j.doe_tag");
        assertThat(Usernames.base("x", null)).isEqualTo("user_x");
        assertThat(Usernames.base("'; DROP TABLE users; --", null)).isEqualTo("drop_table_users");
        assertThat(Usernames.base("a".repeat(80), null)).hasSize(27);
        assertThat(Usernames.candidate(Usernames.base("a".repeat(80), null), 49))
                .hasSizeLessThanOrEqualTo(32);
        assertThat(Usernames.base(null, null)).isEqualTo("user");
        for (String name : List.of("Zoë Ångström", "x", "'; DROP TABLE users; --", "日本語")) {
            assertThat(Usernames.candidate(Usernames.base(name, null), 7)).matches("[a-zA-Z0-9_.-]{3,32}");
        }
    }
}
