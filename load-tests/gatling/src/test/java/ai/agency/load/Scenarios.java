package ai.agency.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.FeederBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The four realistic scenarios, as chains a simulation runs steadily, in stair-steps or in a spike.
 *
 * <p>How requests are reported: each request is sent silently and then reported by a Gatling {@code dummy} under its
 * name plus the session's {@code step} label (e.g. {@code "login @2/s"}), with the time measured around it, once the virtual
 * user has finished (see {@link #report}). An answer
 * that is load shedding — HTTP 429, or a WebSocket {@code error} frame of type {@code rate_limit} — is reported under
 * {@code "<name> (shed)"} as a success, so Gatling's own statistics and assertions keep the three apart: admitted
 * requests (OK under the plain name: their percentiles), errors (KO under the plain name) and shedding.
 */
public final class Scenarios {

    private Scenarios() {}

    private static final AtomicLong SIGN_UPS = new AtomicLong();
    private static final String RUN_ID = Long.toString(System.currentTimeMillis() / 1000 % 10_000_000, 36);
    /** The requests that count as each scenario's unit of throughput in the levels table. */
    private static final List<String> UNITS = List.of(
            "profile",
            "chat: greeting",
            "chat: calculator",
            "chat: remember",
            "chat: recall",
            "run: start to succeeded (incl. approval)",
            "memory add",
            "memory search");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ERROR_TYPE = Pattern.compile("\"errorType\":\"([a-z_]+)\"");

    public static HttpProtocolBuilder protocol() {
        return http.baseUrl(LoadConfig.baseUrl())
                .wsBaseUrl(LoadConfig.wsBaseUrl())
                .localAddresses(LoadConfig.clientAddresses())
                .acceptHeader("application/json")
                .contentTypeHeader("application/json")
                .userAgentHeader("agency-gatling");
    }

    /** A scenario whose requests carry {@code label} (empty for a steady run) after their names. */
    public static ScenarioBuilder labelled(String name, String label, ChainBuilder chain) {
        return scenario(name + label)
                .exec(session -> session.set("step", label).set("reports", List.of()))
                .exec(chain)
                .exec(flush());
    }

    // ------------------------------------------------------------------------------------------------ onboarding

    /** Sign up, sign in, read the profile: a new user's first minute. Virtual users send from many addresses. */
    public static ChainBuilder onboarding() {
        String password = LoadConfig.userPassword();
        return exec(session -> session.set("username", "ob_" + RUN_ID + "_" + SIGN_UPS.incrementAndGet()))
                .exec(call(
                        "register",
                        http("register")
                                .post("/api/v1/auth/register")
                                .body(StringBody(
                                        "{\"username\":\"#{username}\",\"email\":\"#{username}@load.example.com\","
                                                + "\"password\":\"" + password + "\"}")),
                        201))
                .exec(stopIf(session -> !session.getBoolean("ok")))
                .exec(call(
                        "login",
                        http("login")
                                .post("/api/v1/auth/login")
                                .body(StringBody("{\"username\":\"#{username}\",\"password\":\"" + password + "\"}"))
                                .check(jsonPath("$.accessToken").optional().saveAs("token")),
                        200))
                .exec(stopIf(session -> !session.getBoolean("ok") || !session.contains("token")))
                .exec(call(
                        "profile",
                        authed(http("profile").get("/api/v1/users/me"))
                                .check(jsonPath("$.username").optional().saveAs("profileName")),
                        200,
                        session -> session.getString("username").equals(session.getString("profileName"))));
    }

    // ------------------------------------------------------------------------------------------------ chat

    /**
     * One chat session over the WebSocket: a conversation, a ticket, the handshake, then four streamed turns — small
     * talk, one that needs the calculator (the answer must contain 391, else the turn is a failure), one that stores
     * a memory and one that recalls it (the answer must quote it). A turn is timed from its {@code chat} frame to its
     * {@code stream_end}; 4 turns per session.
     */
    public static ChainBuilder chatSession(FeederBuilder<Object> users) {
        return feed(users)
                // a fact of this session alone: the users are shared by many sessions, so "my locker code" would match
                // the codes of earlier sessions too; a project name no other session uses is found by its words
                .exec(session -> session.set("project", "project" + randomLetters(8))
                        .set(
                                "code",
                                Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999))))
                .exec(connect())
                .doIf(session -> session.getBoolean("connected"))
                .then(exec(chatTurn("greeting", session -> "Hello! How are you today?", session -> null))
                        .exec(chatTurn("calculator", session -> "what is 17*23", session -> "391"))
                        .exec(chatTurn(
                                "remember",
                                session -> "Remember that the door code of " + session.getString("project") + " is "
                                        + session.getString("code"),
                                session -> null))
                        // a recall whose "remember" turn was shed has nothing to find: not asked (not a failure)
                        .doIf(session -> !session.getBoolean("shed"))
                        .then(exec(chatTurn(
                                "recall",
                                session ->
                                        "What do you know about the door code of " + session.getString("project") + "?",
                                session -> session == null ? "" : session.getString("code"))))
                        .exec(ws("close").close()));
    }

    /** The spike's chat: connect, one turn that needs the calculator, close. */
    public static ChainBuilder calculatorChat(FeederBuilder<Object> users) {
        return feed(users)
                .exec(connect())
                .doIf(session -> session.getBoolean("connected"))
                .then(exec(chatTurn("calculator", session -> "what is 17*23", session -> "391"))
                        .exec(ws("close").close()));
    }

    /** A conversation (REST), a WebSocket ticket (REST), the handshake with the ticket as sub-protocol. */
    static ChainBuilder connect() {
        return exec(session -> session.set("connected", false))
                .exec(call(
                        "conversation",
                        authed(http("conversation").post("/api/v1/conversations"))
                                .body(StringBody("{\"title\":\"load test\"}"))
                                .check(jsonPath("$.id").optional().saveAs("conversationId")),
                        201))
                .exec(stopIf(session -> !session.getBoolean("ok")))
                .exec(call(
                        "ws ticket",
                        authed(http("ws ticket").post("/api/v1/auth/ws-ticket"))
                                .check(jsonPath("$.ticket").optional().saveAs("ticket")),
                        200))
                .exec(stopIf(session -> !session.getBoolean("ok")))
                .exec(session -> session.set("started", System.currentTimeMillis()))
                .exec(ws("ws connect#{step}")
                        .connect("/ws")
                        .subprotocol("agency.v1, ticket.#{ticket}")
                        .await(Duration.ofSeconds(30))
                        .on(ws.checkTextMessage("ws ready#{step}")
                                .matching(jsonPath("$.type").is("ready"))
                                .check(jsonPath("$.connectionId").saveAs("connectionId"))))
                .exec(session -> {
                    boolean connected = !session.isFailed();
                    Levels.record(
                            session.getString("step"),
                            "ws connect (Gatling-reported)",
                            System.currentTimeMillis() - session.getLong("started"),
                            connected,
                            false,
                            false);
                    if (!connected) {
                        Failures.record("ws connect", "handshake or ready frame failed");
                    }
                    return session.markAsSucceeded().set("connected", connected);
                });
    }

    /**
     * One turn. A turn without an expected answer is streamed ({@code stream_start}, chunks, {@code stream_end}),
     * as the console does; a turn whose answer is checked asks for the whole answer in one {@code response} frame
     * ({@code stream: false}, the same turn inside orchestration-service) so that the check sees the full text. Timed
     * from the {@code chat} frame to {@code stream_end} / {@code response} (≤ 60 s).
     */
    static ChainBuilder chatTurn(String name, Function<Session, String> content, Function<Session, String> expect) {
        boolean stream = expect.apply(null) == null;
        String last = stream ? "stream_end" : "response";
        return exec(session -> session.set("turn", name + "-" + UUID.randomUUID())
                        .remove("endFrame")
                        .set("started", System.currentTimeMillis()))
                .exec(ws("chat: " + name)
                        .sendText(session -> "{\"type\":\"chat\",\"id\":\"" + session.getString("turn")
                                + "\",\"conversationId\":\"" + session.getString("conversationId")
                                + "\",\"stream\":" + stream
                                + ",\"content\":\"" + content.apply(session) + "\"}")
                        .await(Duration.ofSeconds(60))
                        .on(ws.checkTextMessage("end")
                                .matching(
                                        substring(session -> "\"requestId\":\"" + session.getString("turn") + "\""),
                                        regex("\"type\":\"(" + last + "|error)\""))
                                .check(bodyString().saveAs("endFrame"))
                                .silent()))
                .exec(session -> {
                    String end = session.contains("endFrame") ? session.getString("endFrame") : "";
                    String expected = expect.apply(session);
                    boolean complete = end.contains("\"type\":\"" + last + "\"") && !end.contains("\"cancelled\":true");
                    String answer = stream ? "" : content(end);
                    boolean right = expected == null || answer.contains(expected);
                    return session.markAsSucceeded()
                            .set("ok", complete && right)
                            .set("shed", isShedding(end))
                            .set(
                                    "status",
                                    end.isEmpty()
                                            ? "no " + last + " within 60 s"
                                            : !complete
                                                    ? "error frame " + errorType(end)
                                                    : "answer without '" + expected + "'"
                                                            + (end.contains("\"degraded\"") ? " (degraded)" : "")
                                                            + ": " + abbreviate(answer));
                })
                .exec(report("chat: " + name));
    }

    private static String content(String responseFrame) {
        try {
            return JSON.readTree(responseFrame).path("content").asText("");
        } catch (IOException e) {
            return "";
        }
    }

    // ------------------------------------------------------------------------------------------------ workflows

    /**
     * A workflow with a tool step, an approval gate and a transform: create it, start a run, wait until it waits for
     * approval, approve, wait until it succeeded and check its output carries the tool's result (391).
     */
    public static ChainBuilder workflowRun(FeederBuilder<Object> users) {
        String workflow = "{\"name\":\"load-approval\",\"steps\":["
                + "{\"id\":\"calc\",\"type\":\"tool\",\"input\":{\"tool\":\"calculator\",\"parameters\":"
                + "{\"expression\":\"{{input.a}} * {{input.b}}\"}}},"
                + "{\"id\":\"review\",\"type\":\"approval\",\"dependsOn\":[\"calc\"]},"
                + "{\"id\":\"report\",\"type\":\"transform\",\"dependsOn\":[\"review\"],"
                + "\"input\":{\"result\":\"{{steps.calc.output.result}}\"}}]}";
        return feed(users)
                .exec(call(
                        "workflow create",
                        authed(http("workflow create").post("/api/v1/workflows"))
                                .body(StringBody(workflow))
                                .check(jsonPath("$.id").optional().saveAs("workflowId")),
                        201))
                .exec(stopIf(session -> !session.getBoolean("ok")))
                .exec(session -> session.set("runStarted", System.currentTimeMillis()))
                .exec(call(
                        "run start",
                        authed(http("run start").post("/api/v1/workflows/#{workflowId}/runs"))
                                .body(StringBody("{\"input\":{\"a\":17,\"b\":23}}"))
                                .check(jsonPath("$.runId").optional().saveAs("runId")),
                        202))
                .exec(stopIf(session -> !session.getBoolean("ok")))
                .exec(pollRun("waiting_approval"))
                .exec(call(
                        "run approve",
                        authed(http("run approve").post("/api/v1/runs/#{runId}/steps/review/approval"))
                                .body(StringBody("{\"approved\":true,\"comment\":\"load test\"}")),
                        200))
                .exec(stopIf(session -> !session.getBoolean("ok")))
                .exec(pollRun("succeeded"))
                .exec(session -> session.set(
                                "ok",
                                "succeeded".equals(session.getString("runStatus"))
                                        && session.getString("runBody").contains("391"))
                        .set("shed", false)
                        .set("started", session.getLong("runStarted")))
                .exec(report("run: start to succeeded (incl. approval)"));
    }

    /** Polls the run every 200 ms (at most 60 s) until it reaches {@code wanted} or a terminal state. */
    private static ChainBuilder pollRun(String wanted) {
        return exec(session -> session.set("runStatus", "queued").set("polls", 0))
                .asLongAs(session ->
                        !List.of(wanted, "succeeded", "failed", "cancelled").contains(session.getString("runStatus"))
                                && session.getInt("polls") < 300)
                .on(pause(Duration.ofMillis(200))
                        .exec(call(
                                "run poll",
                                authed(http("run poll").get("/api/v1/runs/#{runId}"))
                                        .check(
                                                jsonPath("$.status").optional().saveAs("runStatus"),
                                                bodyString().saveAs("runBody")),
                                200))
                        .exec(session -> session.set("polls", session.getInt("polls") + 1)));
    }

    // ------------------------------------------------------------------------------------------------ memories

    private static final String[] FACTS = {
        "I prefer window seats on long flights",
        "My sister lives in Lisbon and works as an architect",
        "The quarterly report is due on the last Friday of the month",
        "I am allergic to peanuts",
        "Our team uses PostgreSQL 15 in production",
        "My favourite programming language is Kotlin",
        "The office wifi password changes every Monday",
        "I run five kilometres every Tuesday and Thursday",
    };
    private static final String[] QUERIES = {
        "where does my sister live", "what food allergies do I have", "which database do we use",
        "when is the report due", "what do I like on flights", "how often do I run",
    };

    /** A memory-heavy user: five adds and five searches, interleaved (10 requests per user). */
    public static ChainBuilder memoryHeavy(FeederBuilder<Object> users) {
        return feed(users)
                .repeat(5)
                .on(exec(session -> {
                            var random = ThreadLocalRandom.current();
                            String note = UUID.randomUUID().toString().substring(0, 8);
                            return session.set("fact", FACTS[random.nextInt(FACTS.length)] + " (note " + note + ")")
                                    .set("query", QUERIES[random.nextInt(QUERIES.length)]);
                        })
                        .exec(call(
                                "memory add",
                                authed(http("memory add").post("/api/v1/memories"))
                                        .body(StringBody(
                                                "{\"content\":\"#{fact}\",\"tags\":[\"load\"],\"infer\":false}")),
                                201))
                        .exec(call(
                                "memory search",
                                authed(http("memory search").post("/api/v1/memories/search"))
                                        .body(StringBody("{\"query\":\"#{query}\",\"limit\":10}"))
                                        .check(jsonPath("$.results[0].id")
                                                .optional()
                                                .saveAs("hit")),
                                200,
                                session -> session.contains("hit"))));
    }

    // ------------------------------------------------------------------------------------------------ idle

    /**
     * An idle WebSocket: connected, a {@code ping} (answered {@code pong}) every 20 s for {@code seconds}, then
     * closed — the console left open in a tab. Each ping is reported as {@code "ws ping"}.
     */
    public static ChainBuilder idleSocket(FeederBuilder<Object> users, int seconds) {
        return feed(users)
                .exec(connect())
                .doIf(session -> session.getBoolean("connected"))
                .then(repeat(Math.max(1, seconds / 20))
                        .on(pause(Duration.ofSeconds(20))
                                .exec(ws("ws ping")
                                        .sendText("{\"type\":\"ping\"}")
                                        .await(Duration.ofSeconds(30))
                                        .on(ws.checkTextMessage("pong")
                                                .matching(jsonPath("$.type").is("pong")))))
                        .exec(ws("close").close()));
    }

    // ------------------------------------------------------------------------------------------------ readiness

    /** Readiness of every service on its own port (the gateway's on its management port): all must answer 200. */
    public static ChainBuilder readiness() {
        ChainBuilder chain = exec(session -> session);
        for (String url : LoadConfig.readinessUrls()) {
            String port = url.replaceFirst("^.*:(\\d+)/.*$", "$1");
            chain = chain.exec(call("readiness :" + port, http("readiness").get(url), 200));
        }
        return chain;
    }

    // ------------------------------------------------------------------------------------------------ reporting

    public static FeederBuilder<Object> usersFeeder(List<Map<String, Object>> users) {
        return listFeeder(users).circular();
    }

    private static HttpRequestActionBuilder authed(HttpRequestActionBuilder request) {
        return request.header(
                "Authorization",
                session -> "Bearer "
                        + LoadUsers.token(
                                session.contains("username") ? session.getString("username") : null,
                                session.getString("token")));
    }

    private static ChainBuilder call(String name, HttpRequestActionBuilder request, int expectedStatus) {
        return call(name, request, expectedStatus, session -> true);
    }

    /**
     * Sends {@code request} silently, then reports it (see the class comment): OK when the status is
     * {@code expectedStatus} and {@code valid} holds, "(shed)" on a 429, KO otherwise. Sets {@code ok}.
     */
    private static ChainBuilder call(
            String name, HttpRequestActionBuilder request, int expectedStatus, Predicate<Session> valid) {
        return exec(session -> session.remove("status").set("started", System.currentTimeMillis()))
                .exec(request.silent()
                        .check(status().saveAs("status"), bodyString().saveAs("body")))
                .exec(session -> {
                    int status = session.contains("status") ? session.getInt("status") : 0;
                    String body = session.contains("body") ? session.getString("body") : "";
                    boolean ok = status == expectedStatus && valid.test(session);
                    return session.markAsSucceeded()
                            .set("ok", ok)
                            .set("shed", status == 429)
                            .set("status", status == 0 ? "no answer" : status + " " + errorType(body));
                })
                .exec(report(name));
    }

    /** One measured request, reported to Gatling when the virtual user is done ({@link #flush}). */
    private record Report(String name, int millis, boolean success) {}

    /**
     * Records the request just made under its name, from the session's {@code started}, {@code ok}, {@code shed}:
     * in the levels table and failures at once, and queued for Gatling's statistics. Gatling hears of it through a
     * {@code dummy} at the end of the virtual user's run, because a dummy pauses the user for the time it reports: sent
     * right away it would add a think time as long as each answer took.
     */
    private static ChainBuilder report(String name) {
        return exec(session -> {
            int elapsed = (int) (System.currentTimeMillis() - session.getLong("started"));
            boolean ok = session.getBoolean("ok");
            boolean shed = session.getBoolean("shed");
            if (!ok && !shed) {
                Failures.record(name, session.getString("status"));
            }
            Levels.record(session.getString("step"), name, elapsed, ok, shed, UNITS.contains(name));
            List<Report> reports = new ArrayList<>(session.getList("reports"));
            reports.add(new Report(name + session.getString("step") + (shed ? " (shed)" : ""), elapsed, ok || shed));
            return session.set("reports", reports);
        });
    }

    /** Hands the queued reports to Gatling (each dummy pauses this user, who has nothing left to do). */
    private static ChainBuilder flush() {
        return foreach("#{reports}", "report")
                .on(exec(dummy(
                                session -> session.<Report>get("report").name(),
                                session -> session.<Report>get("report").millis())
                        .withSuccess(session -> session.<Report>get("report").success())))
                .exec(session -> session.set("reports", List.of()));
    }

    /** Ends the virtual user when {@code stop} holds, after handing over its reports. */
    private static ChainBuilder stopIf(Predicate<Session> stop) {
        return doIf(stop::test).then(exec(flush()).exec(exitHere()));
    }

    private static String randomLetters(int length) {
        StringBuilder letters = new StringBuilder();
        for (int i = 0; i < length; i++) {
            letters.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return letters.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }

    private static boolean isShedding(String frame) {
        return frame.contains("\"type\":\"error\"") && (frame.contains("\"errorType\":\"rate_limit\""));
    }

    private static String errorType(String body) {
        Matcher matcher = ERROR_TYPE.matcher(body);
        return matcher.find() ? matcher.group(1) : "";
    }
}
