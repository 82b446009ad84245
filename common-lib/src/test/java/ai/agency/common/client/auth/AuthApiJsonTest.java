package ai.agency.common.client.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** {@link UserProfile} reads what auth-service answers, preferences as the user's own JSON. */
class AuthApiJsonTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theProfileIsReadWithItsPreferencesAsTheyAre() {
        String answer = "{\"id\":\"0b7e4a4e-8a86-4c1a-9a8e-3f1f0d7c2a11\",\"username\":\"ada\","
                + "\"email\":\"ada@example.org\",\"roles\":[\"user\"],\"profileRole\":\"developer\","
                + "\"preferences\":{\"tone\":\"brief\",\"units\":{\"length\":\"metric\"}},"
                + "\"createdAt\":\"2026-12-07T15:00:00.123456Z\",\"mfaEnabled\":true}";

        UserProfile me = JSON.readValue(answer, UserProfile.class);

        assertThat(me.id()).isEqualTo(UUID.fromString("0b7e4a4e-8a86-4c1a-9a8e-3f1f0d7c2a11"));
        assertThat(me.username()).isEqualTo("ada");
        assertThat(me.roles()).containsExactly("user");
        assertThat(me.profileRole()).isEqualTo("developer");
        assertThat(me.preferences().toString()).isEqualTo("{\"tone\":\"brief\",\"units\":{\"length\":\"metric\"}}");
        assertThat(me.createdAt()).isEqualTo(Instant.parse("2026-12-07T15:00:00.123456Z"));
    }

    @Test
    void aProfileWithoutRoleOrPreferencesHasNeither() {
        UserProfile me = JSON.readValue(
                "{\"id\":\"0b7e4a4e-8a86-4c1a-9a8e-3f1f0d7c2a11\",\"username\":\"ada\",\"profileRole\":null}",
                UserProfile.class);

        assertThat(me.profileRole()).isNull();
        assertThat(me.preferences()).isNull();
    }
}
