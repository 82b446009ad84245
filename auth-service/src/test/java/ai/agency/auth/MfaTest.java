package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.auth.mfa.Totp;
import ai.agency.common.testsupport.TestHttp.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** TOTP second factor over HTTP against the real database: enrolment, login with codes, recovery codes, turning off. */
class MfaTest extends AuthApiTest {

    private static final Totp TOTP = new Totp();

    /** A user with TOTP on: its secret, a fresh token and its recovery codes. */
    private record Enrolled(Account account, byte[] secret, String token, List<String> recoveryCodes) {}

    private static String code(byte[] secret, int stepOffset) {
        return TOTP.code(secret, Totp.step(Instant.now()) + stepOffset);
    }

    /** A six-digit code that is none of the codes a server would accept now (or a moment later). */
    private static String wrongCode(byte[] secret) {
        Set<String> valid = new HashSet<>();
        for (int i = -2; i <= 3; i++) {
            valid.add(code(secret, i));
        }
        for (int n = 0; ; n++) {
            String candidate = String.format("%06d", (n * 7919) % 1_000_000);
            if (!valid.contains(candidate)) {
                return candidate;
            }
        }
    }

    private Response enrol(String token, String password) {
        return send("POST", "/api/v1/auth/mfa/totp", token, (Object) Map.of("password", password));
    }

    private Response confirm(String token, String code) {
        return send("POST", "/api/v1/auth/mfa/totp/confirm", token, (Object) Map.of("code", code));
    }

    /** Enrols and confirms with the current step's code, so the next step's code is the next usable one. */
    private Enrolled enrolled() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        Response started = enrol(token, account.password());
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        byte[] secret = Totp.fromBase32(started.json().get("secret").asString());
        Response confirmed = confirm(token, code(secret, 0));
        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(200);
        List<String> codes = new ArrayList<>();
        confirmed.json().get("recoveryCodes").forEach(c -> codes.add(c.asString()));
        return new Enrolled(account, secret, token, codes);
    }

    /** A login from an address of its own, so that failures here never lock the test client's address. */
    private Response login(Account account, String password, String totpCode) {
        return login(account, password, totpCode, randomAddress());
    }

    private Response login(Account account, String password, String totpCode, String address) {
        Map<String, String> body = totpCode == null
                ? Map.of("username", account.username(), "password", password)
                : Map.of("username", account.username(), "password", password, "totpCode", totpCode);
        return send(
                "POST", "/api/v1/auth/login", null, JSON.writeValueAsString(body), Map.of("X-Forwarded-For", address));
    }

    private static void assertReason(Response response, int status, String errorType, String reason) {
        JsonNode problem = assertProblem(response, status, errorType);
        assertThat(problem.path("reason").asString()).as(response.body()).isEqualTo(reason);
    }

    private List<String> auditTypes(Account account) {
        List<String> types = new ArrayList<>();
        get("/api/v1/admin/audit?limit=100&userId=" + account.id(), adminToken())
                .json()
                .get("items")
                .forEach(e -> types.add(e.get("type").asString() + "/"
                        + e.path("details").path("reason").asString("")
                        + e.path("details").path("method").asString("")));
        return types;
    }

    @Test
    void enrolConfirmAndLoginRequiresTheCode() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        Response started = enrol(token, account.password());
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        String secret = started.json().get("secret").asString();
        assertThat(secret).matches("[A-Z2-7]{32}");
        assertThat(started.json().get("otpauthUri").asString())
                .isEqualTo("otpauth://totp/Agency:" + account.username() + "?secret=" + secret
                        + "&issuer=Agency&algorithm=SHA1&digits=6&period=30");
        assertThat(get("/api/v1/auth/mfa", token).json().get("totp").asString()).isEqualTo("pending");
        // a pending enrolment does not change login yet
        assertThat(login(account, account.password(), null).status()).isEqualTo(200);

        byte[] raw = Totp.fromBase32(secret);
        byte[] stored = jdbc.sql("SELECT secret_enc FROM mfa_totp WHERE user_id = :u")
                .param("u", account.id())
                .query(byte[].class)
                .single();
        assertThat(stored).hasSize(12 + raw.length + 16);
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain(new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1));

        assertThat(errorFields(assertProblem(confirm(token, wrongCode(raw)), 400, "validation")))
                .containsExactly("code");
        Response confirmed = confirm(token, code(raw, 0));
        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(200);
        assertThat(confirmed.json().get("enabled").asBoolean()).isTrue();
        List<String> codes = new ArrayList<>();
        confirmed.json().get("recoveryCodes").forEach(c -> codes.add(c.asString()));
        assertThat(codes).hasSize(10).doesNotHaveDuplicates().allMatch(c -> c.matches("([A-Z2-7]{4}-){3}[A-Z2-7]{4}"));
        JsonNode status = get("/api/v1/auth/mfa", token).json();
        assertThat(status.get("totp").asString()).isEqualTo("enabled");
        assertThat(status.get("recoveryCodesLeft").asInt()).isEqualTo(10);

        assertReason(login(account, account.password(), null), 401, "authentication", "mfa_required");
        assertReason(login(account, account.password(), wrongCode(raw)), 401, "authentication", "mfa_invalid_code");
        // a wrong password still says only that, whatever the code
        assertReason(login(account, "wrong password!", code(raw, 1)), 401, "authentication", "bad_credentials");

        String next = code(raw, 1);
        Response ok = login(account, account.password(), next);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("accessToken").asString()).isNotBlank();
        // the same code again within its window is a replay; so is the code of the step before it
        assertReason(login(account, account.password(), next), 401, "authentication", "mfa_code_used");
        assertReason(login(account, account.password(), code(raw, 0)), 401, "authentication", "mfa_code_used");

        assertThat(auditTypes(account))
                .contains(
                        "mfa.enrolment_started/totp",
                        "mfa.enabled/totp",
                        "login.failure/mfa_required",
                        "login.failure/mfa_invalid_code",
                        "login.failure/mfa_code_used");
        String details = jdbc.sql("SELECT string_agg(details::text, ' ') FROM audit_events WHERE user_id = :u")
                .param("u", account.id())
                .query(String.class)
                .single();
        assertThat(details).doesNotContain(secret).doesNotContain(next).doesNotContain(codes.get(0));
    }

    @Test
    void concurrentLoginsWithTheSameCodeSucceedOnlyOnce() throws Exception {
        Enrolled user = enrolled();
        String next = code(user.secret(), 1);
        List<java.util.concurrent.CompletableFuture<Response>> logins = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                logins.add(java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> login(user.account(), user.account().password(), next), pool));
            }
        }
        List<Integer> statuses = new ArrayList<>();
        for (var login : logins) {
            Response response = login.get();
            statuses.add(response.status());
            if (response.status() != 200) {
                assertReason(response, 401, "authentication", "mfa_code_used");
            }
        }
        assertThat(statuses).containsOnlyOnce(200).hasSize(4);
    }

    @Test
    void aRecoveryCodeWorksOnceAndIsStoredHashed() {
        Enrolled user = enrolled();
        String recovery = user.recoveryCodes().get(3);

        String typed = recovery.toLowerCase().replace("-", " ");
        Response ok = login(user.account(), user.account().password(), typed);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertReason(
                login(user.account(), user.account().password(), recovery), 401, "authentication", "mfa_invalid_code");
        assertThat(get("/api/v1/auth/mfa", user.token())
                        .json()
                        .get("recoveryCodesLeft")
                        .asInt())
                .isEqualTo(9);
        // another unused code still works
        assertThat(login(
                                user.account(),
                                user.account().password(),
                                user.recoveryCodes().get(4))
                        .status())
                .isEqualTo(200);

        String hashes = jdbc.sql("SELECT string_agg(code_hash, ' ') FROM mfa_recovery_codes WHERE user_id = :u")
                .param("u", user.account().id())
                .query(String.class)
                .single();
        for (String code : user.recoveryCodes()) {
            assertThat(hashes).doesNotContain(code).doesNotContain(code.replace("-", ""));
        }
        assertThat(auditTypes(user.account())).contains("mfa.recovery_code_used/");
    }

    @Test
    void missingAndWrongCodesCountTowardTheLoginLimit() {
        Enrolled user = enrolled();
        String address = randomAddress();
        for (int i = 0; i < 4; i++) {
            assertReason(
                    login(user.account(), user.account().password(), wrongCode(user.secret()), address),
                    401,
                    "authentication",
                    "mfa_invalid_code");
        }
        assertReason(
                login(user.account(), user.account().password(), null, address), 401, "authentication", "mfa_required");

        // the fifth failure slowed the username down at this address: even the right code must wait now
        Response slowed = login(user.account(), user.account().password(), code(user.secret(), 1), address);
        assertProblem(slowed, 429, "rate_limit");
        assertThat(slowed.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void turningOffNeedsACurrentCodeNotThePasswordAlone() {
        Enrolled user = enrolled();
        String path = "/api/v1/auth/mfa/totp";

        assertProblem(send("DELETE", path, user.token(), (Object) Map.of()), 400, "validation");
        // attack: a stolen session plus a phished password must not strip the second factor
        JsonNode passwordAlone = assertProblem(
                send("DELETE", path, user.token(), (Object)
                        Map.of("password", user.account().password())),
                400,
                "validation");
        assertThat(passwordAlone.toString()).contains("code");
        assertReason(
                send("DELETE", path, user.token(), (Object) Map.of("code", wrongCode(user.secret()))),
                403,
                "authorization",
                "mfa_invalid_code");
        assertThat(login(user.account(), user.account().password(), null).status())
                .isEqualTo(401);

        Response off = send("DELETE", path, user.token(), (Object) Map.of("code", code(user.secret(), 1)));
        assertThat(off.status()).as(off.body()).isEqualTo(204);
        assertThat(get("/api/v1/auth/mfa", user.token()).json().get("totp").asString())
                .isEqualTo("disabled");
        assertThat(login(user.account(), user.account().password(), null).status())
                .isEqualTo(200);
        assertThat(jdbc.sql("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = :u")
                        .param("u", user.account().id())
                        .query(Long.class)
                        .single())
                .isZero();
        assertProblem(
                send("DELETE", path, user.token(), (Object)
                        Map.of("password", user.account().password())),
                404,
                "not_found");
        assertThat(auditTypes(user.account())).contains("mfa.disabled/totp", "reauth.failure/mfa_invalid_code");
    }

    @Test
    void regeneratedRecoveryCodesReplaceTheOldOnes() {
        Enrolled user = enrolled();

        Response fresh = send("POST", "/api/v1/auth/mfa/recovery-codes", user.token(), (Object)
                Map.of("password", user.account().password()));
        assertThat(fresh.status()).as(fresh.body()).isEqualTo(200);
        String newCode = fresh.json().get("recoveryCodes").get(0).asString();
        assertThat(user.recoveryCodes()).doesNotContain(newCode);

        assertReason(
                login(
                        user.account(),
                        user.account().password(),
                        user.recoveryCodes().get(0)),
                401,
                "authentication",
                "mfa_invalid_code");
        assertThat(login(user.account(), user.account().password(), newCode).status())
                .isEqualTo(200);
        assertThat(auditTypes(user.account())).contains("mfa.recovery_codes_regenerated/");

        // turning off with a recovery code works too, also as a POST (for clients that drop DELETE bodies)
        assertThat(send("POST", "/api/v1/auth/mfa/totp/disable", user.token(), (Object) Map.of(
                                "code", fresh.json().get("recoveryCodes").get(1).asString()))
                        .status())
                .isEqualTo(204);
        assertThat(login(user.account(), user.account().password(), null).status())
                .isEqualTo(200);
        assertThat(auditTypes(user.account())).contains("mfa.disabled/recovery_code");
    }

    @Test
    void anotherUserCannotTouchYourSecondFactor() {
        Enrolled alice = enrolled();
        Account bob = register();
        String bobToken = loginOk(bob.username(), bob.password()).accessToken();
        String aliceCode = code(alice.secret(), 1);

        // every MFA path acts on the caller's own account: Bob has none, Alice's is untouched
        assertProblem(
                send("POST", "/api/v1/auth/mfa/totp/confirm", bobToken, (Object) Map.of("code", aliceCode)),
                409,
                "conflict");
        assertProblem(
                send("DELETE", "/api/v1/auth/mfa/totp", bobToken, (Object) Map.of("code", aliceCode)),
                404,
                "not_found");
        assertProblem(
                send("POST", "/api/v1/auth/mfa/recovery-codes", bobToken, (Object) Map.of("password", bob.password())),
                409,
                "conflict");
        assertProblem(
                send("DELETE", "/api/v1/admin/users/" + alice.account().id() + "/mfa", bobToken, (String) null),
                403,
                "authorization");
        assertThat(get("/api/v1/auth/mfa", bobToken).json().get("totp").asString())
                .isEqualTo("disabled");
        assertThat(get("/api/v1/auth/mfa", alice.token()).json().get("totp").asString())
                .isEqualTo("enabled");
        assertReason(login(alice.account(), alice.account().password(), null), 401, "authentication", "mfa_required");
        // Bob's own login never asks for a code
        assertThat(login(bob, bob.password(), aliceCode).status()).isEqualTo(200);

        // an admin can turn it off for a user who lost the device and the recovery codes
        String admin = adminToken();
        assertThat(send("DELETE", "/api/v1/admin/users/" + alice.account().id() + "/mfa", admin, (String) null)
                        .status())
                .isEqualTo(204);
        assertThat(login(alice.account(), alice.account().password(), null).status())
                .isEqualTo(200);
        assertProblem(
                send("DELETE", "/api/v1/admin/users/" + alice.account().id() + "/mfa", admin, (String) null),
                404,
                "not_found");
        JsonNode event = get(
                        "/api/v1/admin/audit?type=mfa.disabled&userId="
                                + alice.account().id(),
                        admin)
                .json()
                .get("items")
                .get(0);
        assertThat(event.get("details").get("method").asString()).isEqualTo("admin");
        assertThat(event.get("actorId").asString())
                .isNotBlank()
                .isNotEqualTo(alice.account().id().toString());
    }

    @Test
    void badInputIsA400AndChangesNothing() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        assertThat(errorFields(assertProblem(
                        send("POST", "/api/v1/auth/mfa/totp", token, (Object) Map.of()), 400, "validation")))
                .containsExactly("password");
        assertReason(enrol(token, "wrong password here"), 403, "authorization", "bad_credentials");
        assertProblem(send("POST", "/api/v1/auth/mfa/totp", token, "{\"password\": "), 400, "validation");
        assertThat(get("/api/v1/auth/mfa", token).json().get("totp").asString()).isEqualTo("disabled");

        assertThat(enrol(token, account.password()).status()).isEqualTo(201);
        assertThat(errorFields(assertProblem(confirm(token, "1' OR '1'='1"), 400, "validation")))
                .containsExactly("code");
        assertThat(errorFields(assertProblem(confirm(token, "1".repeat(5000)), 400, "validation")))
                .containsExactly("code");
        assertThat(errorFields(assertProblem(confirm(token, ""), 400, "validation")))
                .containsExactly("code");
        assertThat(get("/api/v1/auth/mfa", token).json().get("totp").asString()).isEqualTo("pending");

        assertThat(errorFields(assertProblem(
                        post(
                                "/api/v1/auth/login",
                                Map.of(
                                        "username", account.username(),
                                        "password", account.password(),
                                        "totpCode", "'; DROP TABLE users; --")),
                        400,
                        "validation")))
                .containsExactly("totpCode");
        assertThat(errorFields(assertProblem(
                        post(
                                "/api/v1/auth/login",
                                Map.of(
                                        "username", account.username(),
                                        "password", account.password(),
                                        "totpCode", "9".repeat(100))),
                        400,
                        "validation")))
                .containsExactly("totpCode");
        assertProblem(
                send("POST", "/api/v1/auth/mfa/totp", null, (Object) Map.of("password", "x")), 401, "authentication");

        Enrolled enabled = enrolled();
        assertProblem(enrol(enabled.token(), enabled.account().password()), 409, "conflict");
        assertProblem(confirm(enabled.token(), code(enabled.secret(), 1)), 409, "conflict");
    }
}
