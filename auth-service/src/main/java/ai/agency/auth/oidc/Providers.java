package ai.agency.auth.oidc;

import ai.agency.auth.AuthProperties;
import ai.agency.common.error.AgencyException;
import ai.agency.common.security.AgencySecurityProperties;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/** The configured providers, by id, each with the client that speaks its protocol. */
@Component
class Providers {

    /** A provider as the sign-in flow needs it. */
    record Provider(String id, String name, AuthProperties.OidcProvider settings, ProviderClient client) {}

    private final Map<String, Provider> byId = new TreeMap<>();
    private final String publicUrl;

    Providers(AuthProperties properties, AgencySecurityProperties security) {
        properties.oidc().providers().forEach((id, settings) -> {
            ProviderClient client = settings.type() == AuthProperties.ProviderType.GITHUB
                    ? new GitHubProviderClient(settings)
                    : new OidcProviderClient(settings);
            String name = settings.name() == null || settings.name().isBlank() ? id : settings.name();
            byId.put(id, new Provider(id, name, settings, client));
        });
        String issuer = security.issuer();
        this.publicUrl = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    }

    List<Provider> all() {
        return byId.values().stream()
                .sorted(Comparator.comparing(Provider::name))
                .toList();
    }

    Optional<Provider> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** 404 problem for a provider that is not configured. */
    Provider get(String id) {
        return find(id).orElseThrow(() -> AgencyException.notFound("provider", id));
    }

    boolean publicUrlIsHttps() {
        return publicUrl.startsWith("https://");
    }

    /** Where the provider sends the browser back: the platform's public URL (the gateway's) + the callback path. */
    URI redirectUri(Provider provider) {
        return URI.create(publicUrl + "/api/v1/auth/oidc/" + provider.id() + "/callback");
    }
}
