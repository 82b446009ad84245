package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.platform.Api.Reply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Hostile tokens, against the real jars: a real access token turned into {@code alg: none}, or with its
 * payload changed under the original signature, is a 401 problem at the gateway and at every service called directly;
 * a disabled user can neither refresh nor log in, and auth-service refuses their still-unexpired access token at once.
 */
class HostileTokensIT {

    private static RunningPlatform platform;

    @BeforeAll
    static void startPlatform() {
        platform = RunningPlatform.get();
    }

    @Test
    void algNoneAndTamperedTokensAreRefusedEverywhere() {
        String real = Api.newUserToken(platform.gateway());
        String victim = Api.newUserToken(platform.gateway());
        String[] parts = real.split("\\.");
        ObjectNode header = (ObjectNode) decode(parts[0]);
        assertThat(header.get("alg").asString()).isEqualTo("ES256");
        assertThat(header.get("kid").asString()).isNotBlank();

        ObjectNode none = header.deepCopy();
        none.put("alg", "none");
        String algNone = encode(none) + "." + parts[1] + ".";

        ObjectNode payload = (ObjectNode) decode(parts[1]);
        payload.put("sub", decode(victim.split("\\.")[1]).get("sub").asString());
        String tampered = parts[0] + "." + encode(payload) + "." + parts[2];

        ObjectNode admin = (ObjectNode) decode(parts[1]);
        admin.putArray("roles").add("admin");
        String escalated = parts[0] + "." + encode(admin) + "." + parts[2];

        // the untouched token works, so every refusal below is the token's fault
        assertThat(Api.send(platform.gateway(), "GET", "/api/v1/memories", real, null, null)
                        .status())
                .isEqualTo(200);
        for (String bad : new String[] {algNone, tampered, escalated}) {
            Api.assertProblem(
                    Api.send(platform.gateway(), "GET", "/api/v1/memories", bad, null, null), 401, "authentication");
            for (String service : new String[] {"memory-service", "tool-service", "orchestration-service"}) {
                URI direct = platform.service(service);
                String path = switch (service) {
                    case "memory-service" -> "/api/v1/memories";
                    case "tool-service" -> "/api/v1/tools";
                    default -> "/api/v1/conversations";
                };
                Api.assertProblem(Api.send(direct, "GET", path, bad, null, null), 401, "authentication");
            }
            Api.assertProblem(
                    Api.send(platform.service("auth-service"), "GET", "/api/v1/users/me", bad, null, null),
                    401,
                    "authentication");
        }
    }

    @Test
    void aDisabledUserCannotRefreshOrLogInAndAuthRefusesTheirTokenAtOnce() {
        String username = "d" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String password = "password-" + UUID.randomUUID();
        String credentials = "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}";
        assertThat(post(
                                "/api/v1/auth/register",
                                null,
                                "{\"username\":\"" + username + "\",\"email\":\"" + username
                                        + "@example.com\",\"password\":\"" + password + "\"}")
                        .status())
                .isEqualTo(201);
        Reply login = post("/api/v1/auth/login", null, credentials);
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        String access = login.json().get("accessToken").asString();
        String refresh = login.json().get("refreshToken").asString();
        String userId = get("/api/v1/users/me", access).json().get("id").asString();

        Reply adminLogin = post(
                "/api/v1/auth/login", null, "{\"username\":\"admin\",\"password\":\"" + platform.adminPassword + "\"}");
        String adminToken = adminLogin.json().get("accessToken").asString();
        Reply disabled = post("/api/v1/admin/users/" + userId + "/disable", adminToken, "{}");
        assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
        assertThat(disabled.json().get("disabled").asBoolean()).isTrue();

        Api.assertProblem(
                post("/api/v1/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}"), 401, "authentication");
        Api.assertProblem(post("/api/v1/auth/login", null, credentials), 401, "authentication");
        Api.assertProblem(get("/api/v1/users/me", access), 401, "authentication");

        // enabling again does not bring the revoked refresh token back; a new login works
        assertThat(post("/api/v1/admin/users/" + userId + "/enable", adminToken, "{}")
                        .status())
                .isEqualTo(200);
        Api.assertProblem(
                post("/api/v1/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}"), 401, "authentication");
        assertThat(post("/api/v1/auth/login", null, credentials).status()).isEqualTo(200);
    }

    private static Reply post(String path, String token, String body) {
        return Api.send(platform.gateway(), "POST", path, token, body, "application/json");
    }

    private static Reply get(String path, String token) {
        return Api.send(platform.gateway(), "GET", path, token, null, null);
    }

    private static JsonNode decode(String part) {
        return Api.JSON.readTree(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
    }

    private static String encode(JsonNode json) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(json.toString().getBytes(StandardCharsets.UTF_8));
    }
}
