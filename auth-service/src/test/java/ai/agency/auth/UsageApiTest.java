package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.testsupport.TestHttp.Response;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;

/**
 * The owner of usage, over HTTP against the real database: relayed batches (as the services' relays send them)
 * counted once per event id into the caller's day, nothing in another user's, the admin view, per-user quota limits,
 * and hostile parameters refused with 400 problems naming the field.
 */
class UsageApiTest extends AuthApiTest {

    private static Map<String, Object> event(
            UUID user, String kind, String subject, long count, long in, long out, long bytes) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", UUID.randomUUID().toString());
        e.put("userId", user.toString());
        e.put("at", Instant.now().toString());
        e.put("kind", kind);
        e.put("subject", subject);
        e.put("count", count);
        e.put("tokensIn", in);
        e.put("tokensOut", out);
        e.put("bytes", bytes);
        return e;
    }

    /** A chat turn with a tool call, a memory add, an image analysis and a workflow step. */
    private static List<Map<String, Object>> aDayOfWork(UUID user) {
        return List.of(
                event(user, "turn", "", 1, 0, 0, 0),
                event(user, "tokens", "local/local-echo", 0, 120, 35, 0),
                event(user, "tokens", "openai/gpt-4o-mini", 0, 10, 5, 0),
                event(user, "tool_call", "calculator", 1, 0, 0, 0),
                event(user, "memory_added", "", 1, 0, 0, 42),
                event(user, "analysis", "image", 1, 0, 0, 0),
                event(user, "workflow_step", "", 1, 0, 0, 0));
    }

    private Response ingest(List<Map<String, Object>> events) {
        return ingestAs(USAGE_SECRET, events);
    }

    /** A batch as a relay sends it, with this {@code Agency-Usage-Secret} (none when null). */
    private Response ingestAs(String secret, List<Map<String, Object>> events) {
        return send(
                "POST",
                "/internal/usage/events",
                null,
                JSON.writeValueAsString(Map.of("events", events)),
                secret == null ? Map.of() : Map.of("Agency-Usage-Secret", secret));
    }

    private static JsonNode today(JsonNode report) {
        JsonNode days = report.get("days");
        JsonNode last = days.get(days.size() - 1);
        assertThat(last.get("date").asString())
                .isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
        return last;
    }

    @Test
    void relayedUsageShowsInTheCallersDayOnceAndInNobodyElses() {
        Account me = register();
        Account other = register();
        List<Map<String, Object>> batch = aDayOfWork(me.id());
        Response first = ingest(batch);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().get("counted").asInt()).isEqualTo(7);
        // the relay sends the batch again (it crashed before deleting it): nothing is counted twice
        List<Map<String, Object>> again = new ArrayList<>(batch);
        again.add(batch.getFirst()); // and a duplicate inside one batch
        assertThat(ingest(again).json().get("counted").asInt()).isZero();

        String token = loginOk(me.username(), me.password()).accessToken();
        Response response = get("/api/v1/usage", token);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode report = response.json();
        assertThat(report.get("days")).hasSize(30);
        JsonNode day = today(report);
        assertThat(day.get("tokensIn").asLong()).isEqualTo(130);
        assertThat(day.get("tokensOut").asLong()).isEqualTo(40);
        assertThat(day.get("turns").asLong()).isEqualTo(1);
        assertThat(day.get("toolCalls").asLong()).isEqualTo(1);
        assertThat(day.get("memoriesAdded").asLong()).isEqualTo(1);
        assertThat(day.get("memoryBytes").asLong()).isEqualTo(42);
        assertThat(day.get("analyses").asLong()).isEqualTo(1);
        assertThat(day.get("workflowSteps").asLong()).isEqualTo(1);
        assertThat(day.get("byModel")).hasSize(2);
        JsonNode local = day.get("byModel").get(0);
        assertThat(local.get("provider").asString()).isEqualTo("local");
        assertThat(local.get("model").asString()).isEqualTo("local-echo");
        assertThat(local.get("tokensIn").asLong()).isEqualTo(120);
        assertThat(local.get("tokensOut").asLong()).isEqualTo(35);
        assertThat(day.get("byTool").get(0).get("tool").asString()).isEqualTo("calculator");
        assertThat(day.get("byTool").get(0).get("calls").asLong()).isEqualTo(1);
        assertThat(day.get("analysesByModality").get("image").asLong()).isEqualTo(1);
        assertThat(day.get("analysesByModality").get("text").asLong()).isZero();
        assertThat(report.get("totals").get("tokensIn").asLong()).isEqualTo(130);
        assertThat(report.get("totals").get("turns").asLong()).isEqualTo(1);
        JsonNode tokensQuota = quota(report, "tokens_per_day");
        assertThat(tokensQuota.get("limit").asLong()).isEqualTo(1_000_000);
        assertThat(tokensQuota.get("used").asLong()).isEqualTo(170);
        assertThat(Instant.parse(tokensQuota.get("resetsAt").asString()))
                .isEqualTo(LocalDate.now(ZoneOffset.UTC)
                        .plusDays(1)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant());
        assertThat(quota(report, "memories_total").get("used").asLong()).isEqualTo(1);
        assertThat(quota(report, "tool_calls_per_minute").get("used").asLong()).isEqualTo(1);

        JsonNode theirs = get(
                        "/api/v1/usage",
                        loginOk(other.username(), other.password()).accessToken())
                .json();
        assertThat(today(theirs).get("tokensIn").asLong()).isZero();
        assertThat(theirs.get("totals").get("turns").asLong()).isZero();
        assertThat(theirs.get("totals").get("byModel")).isEmpty();
    }

    private static JsonNode quota(JsonNode report, String name) {
        for (JsonNode q : report.get("quotas")) {
            if (q.get("name").asString().equals(name)) {
                return q;
            }
        }
        throw new AssertionError("no quota " + name + " in " + report.get("quotas"));
    }

    @Test
    void aForgerOnTheServicesNetworkCannotSpendSomeoneElsesQuota() {
        // the attack: anything that reaches auth-service directly (another pod, a compromised container) posts
        // "tokens" for a victim until their daily quota is gone. Before: with no secret configured (the default
        // everywhere), the batch was counted and the victim's next chat turn was refused with 429.
        Account victim = register();
        List<Map<String, Object>> forged = List.of(event(victim.id(), "tokens", "openai/gpt-4o", 0, 999_999, 1, 0));
        for (String presented : java.util.Arrays.asList(
                null, "", "wrong-secret", USAGE_SECRET + "x", USAGE_SECRET.substring(1), USAGE_SECRET.toUpperCase())) {
            Response refused = ingestAs(presented, forged);
            assertThat(refused.status())
                    .as("secret %s: %s", presented, refused.body())
                    .isEqualTo(401);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().get("detail").asString()).contains("Agency-Usage-Secret");
        }
        String token = loginOk(victim.username(), victim.password()).accessToken();
        JsonNode report = get("/api/v1/usage", token).json();
        assertThat(report.get("totals").get("tokensIn").asLong()).isZero();
        assertThat(quota(report, "tokens_per_day").get("used").asLong()).isZero();
        // the relays, which hold the secret, are still heard
        assertThat(ingest(List.of(event(victim.id(), "turn", "", 1, 0, 0, 0)))
                        .json()
                        .get("counted")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void authServiceDoesNotStartWithoutTheIngestSecret(@Autowired Environment environment) {
        // an owner without a secret would count whatever anyone posts: it refuses to start and says what to set
        for (String secret : List.of("", "too-short")) {
            assertThatThrownBy(() -> new SpringApplicationBuilder(AuthServiceApplication.class)
                            .run(
                                    "--server.port=0",
                                    "--spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                                    "--spring.datasource.username="
                                            + environment.getProperty("spring.datasource.username"),
                                    "--spring.datasource.password="
                                            + environment.getProperty("spring.datasource.password"),
                                    "--agency.auth.master-key=" + MASTER_KEY,
                                    "--agency.usage.ingest-secret=" + secret,
                                    "--agency.auth.bcrypt-cost=10")
                            .close())
                    .hasStackTraceContaining("AGENCY_USAGE_INGEST_SECRET");
        }
    }

    @Test
    void adminsReadAnyUsersUsageAndUsersCannot() {
        Account me = register();
        ingest(aDayOfWork(me.id()));
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        Response asAdmin =
                get("/api/v1/admin/usage?userId=" + me.id() + "&from=" + today + "&to=" + today, adminToken());
        assertThat(asAdmin.status()).as(asAdmin.body()).isEqualTo(200);
        assertThat(asAdmin.json().get("days")).hasSize(1);
        assertThat(asAdmin.json().get("totals").get("toolCalls").asLong()).isEqualTo(1);

        Account stranger = register();
        String strangerToken = loginOk(stranger.username(), stranger.password()).accessToken();
        assertProblem(get("/api/v1/admin/usage?userId=" + me.id(), strangerToken), 403, "authorization");
        assertProblem(get("/api/v1/admin/usage?userId=" + UUID.randomUUID(), adminToken()), 404, "not_found");
    }

    @Test
    void anAdminSetsAUsersLimitsAndTheUserSeesThem() {
        Account me = register();
        ingest(aDayOfWork(me.id()));
        String admin = adminToken();
        Map<String, Object> limits = new HashMap<>();
        limits.put("tokens_per_day", 100);
        limits.put("memories_total", -1);
        Response set =
                send("PUT", "/api/v1/admin/users/" + me.id() + "/quotas", admin, (Object) Map.of("quotas", limits));
        assertThat(set.status()).as(set.body()).isEqualTo(200);

        String token = loginOk(me.username(), me.password()).accessToken();
        JsonNode state = get("/api/v1/usage/quotas", token).json();
        JsonNode tokens = quota(state, "tokens_per_day");
        assertThat(tokens.get("limit").asLong()).isEqualTo(100);
        assertThat(tokens.get("used").asLong()).isEqualTo(170);
        assertThat(quota(state, "memories_total").get("limit").isNull())
                .as(state.toString())
                .isTrue();
        assertThat(quota(state, "tool_calls_per_minute").get("limit").asLong()).isEqualTo(600);

        Map<String, Object> back = new HashMap<>();
        back.put("tokens_per_day", null);
        send("PUT", "/api/v1/admin/users/" + me.id() + "/quotas", admin, (Object) Map.of("quotas", back));
        assertThat(quota(get("/api/v1/usage/quotas", token).json(), "tokens_per_day")
                        .get("limit")
                        .asLong())
                .isEqualTo(1_000_000);

        // each change is in the audit trail, with the admin who made it
        JsonNode changes = get("/api/v1/admin/audit?type=user.quotas_changed&userId=" + me.id(), admin)
                .json()
                .get("items");
        assertThat(changes).hasSize(2);
        assertThat(changes.get(0)
                        .get("details")
                        .get("quotas")
                        .get("tokens_per_day")
                        .asString())
                .isEqualTo("role");
        assertThat(changes.get(1)
                        .get("details")
                        .get("quotas")
                        .get("tokens_per_day")
                        .asLong())
                .isEqualTo(100);
        assertThat(changes.get(1)
                        .get("details")
                        .get("quotas")
                        .get("memories_total")
                        .asString())
                .isEqualTo("unlimited");
        assertThat(changes.get(1).get("actorId").asString())
                .isNotBlank()
                .isNotEqualTo(me.id().toString());

        assertProblem(
                send("PUT", "/api/v1/admin/users/" + me.id() + "/quotas", token, (Object)
                        Map.of("quotas", Map.of("tokens_per_day", 1))),
                403,
                "authorization");
        JsonNode unknown = assertProblem(
                send("PUT", "/api/v1/admin/users/" + me.id() + "/quotas", admin, (Object)
                        Map.of("quotas", Map.of("bananas", 1))),
                400,
                "validation");
        assertThat(unknown.get("detail").asString()).contains("bananas");
    }

    @Test
    void hostileParametersAreRefusedNamingTheField() {
        Account me = register();
        String token = loginOk(me.username(), me.password()).accessToken();
        assertThat(errorFields(
                        assertProblem(get("/api/v1/usage?from=2026-03-10&to=2026-03-01", token), 400, "validation")))
                .contains("to");
        assertThat(errorFields(
                        assertProblem(get("/api/v1/usage?from=2024-01-01&to=2026-01-01", token), 400, "validation")))
                .contains("from");
        assertProblem(get("/api/v1/usage?from=yesterday", token), 400, "validation");
        assertThat(errorFields(assertProblem(get("/api/v1/usage?to=%2B999999999-12-31", token), 400, "validation")))
                .contains("to");
        assertThat(errorFields(assertProblem(get("/api/v1/usage?from=0001-01-01", token), 400, "validation")))
                .contains("from");
        assertProblem(get("/api/v1/usage?from=2026-02-30", token), 400, "validation");
        assertProblem(get("/api/v1/usage?to=%27%20OR%201=1", token), 400, "validation");
        assertProblem(get("/api/v1/admin/usage", adminToken()), 400, "validation");
        assertProblem(get("/api/v1/admin/usage?userId=not-a-uuid", adminToken()), 400, "validation");
        assertProblem(get("/api/v1/usage", null), 401, "authentication");

        assertProblem(ingest(List.of(event(me.id(), "bitcoin", "", 1, 0, 0, 0))), 400, "validation");
        assertProblem(ingest(List.of(event(me.id(), "turn", "", -5, 0, 0, 0))), 400, "validation");
        Map<String, Object> noUser = event(me.id(), "turn", "", 1, 0, 0, 0);
        noUser.remove("userId");
        assertProblem(ingest(List.of(noUser)), 400, "validation");
        assertThat(get("/api/v1/usage", token).json().get("totals").get("turns").asLong())
                .isZero();
    }
}
