package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.platform.Api.Reply;
import ai.agency.platform.OtlpReceiver.ReceivedSpan;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real jars export their spans over OTLP/HTTP (to {@link OtlpReceiver}): one chat turn with a tool call, sent
 * through the gateway, is one trace with spans of the gateway, orchestration, memory and tool services, linked into
 * one tree (the database statements they made among them), and its id is the trace id the client got back.
 */
class TracingIT {

    private static final Set<String> TURN_SERVICES =
            Set.of("realtime-gateway", "orchestration-service", "memory-service", "tool-service");

    private static URI gateway;

    @BeforeAll
    static void startPlatform() {
        gateway = RunningPlatform.get().gateway();
    }

    @Test
    void oneChatTurnIsOneTraceAcrossTheServices() throws InterruptedException {
        String token = Api.newUserToken(gateway);
        Reply created = Api.send(gateway, "POST", "/api/v1/conversations", token, "{}", "application/json");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String conversation = created.json().get("id").asString();

        Reply turn = Api.send(
                gateway,
                "POST",
                "/api/v1/conversations/" + conversation + "/messages",
                token,
                "{\"content\":\"What is 17 * 23?\"}",
                "application/json");
        assertThat(turn.status()).as(turn.body()).isEqualTo(200);
        assertThat(turn.body()).contains("calculator");
        String traceId = turn.response().headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(traceId).matches("[0-9a-f]{32}");

        List<ReceivedSpan> spans = awaitSpans(traceId);
        assertThat(spans.stream().map(ReceivedSpan::service).collect(Collectors.toSet()))
                .as("services in trace %s: %s", traceId, spans)
                .containsAll(TURN_SERVICES);

        Map<String, ReceivedSpan> byId =
                spans.stream().collect(Collectors.toMap(ReceivedSpan::spanId, Function.identity(), (a, b) -> a));
        List<ReceivedSpan> roots =
                spans.stream().filter(span -> span.parentSpanId().isEmpty()).toList();
        assertThat(roots).as("roots of %s", spans).hasSize(1);
        assertThat(roots.getFirst().service()).isEqualTo("realtime-gateway");
        for (ReceivedSpan span : spans) {
            if (!span.parentSpanId().isEmpty()) {
                assertThat(byId).as("parent of %s", span).containsKey(span.parentSpanId());
            }
        }
        // every service's first span hangs below a span of another service: the traceparent went across
        for (String service : Set.of("orchestration-service", "memory-service", "tool-service")) {
            assertThat(spans.stream()
                            .filter(span -> span.service().equals(service))
                            .anyMatch(span ->
                                    !byId.get(span.parentSpanId()).service().equals(service)))
                    .as("a %s span whose parent is another service's", service)
                    .isTrue();
        }
        // the model call and the tool execution are spans of their own, inside the trace
        assertThat(spans)
                .as("model call span in %s", spans)
                .anyMatch(span -> span.service().equals("orchestration-service")
                        && span.name().startsWith("model "));
        assertThat(spans)
                .as("tool execution span in %s", spans)
                .anyMatch(span ->
                        span.service().equals("tool-service") && span.name().equals("tool calculator"));
        // the database statements of note: memory-service's recall reads the memories table inside the trace
        assertThat(spans)
                .as("a database statement span of memory-service in %s", spans)
                .anyMatch(span -> span.service().equals("memory-service")
                        && span.name().equals("query")
                        && span.attributes().getOrDefault("jdbc.query[0]", "").contains("memories"));
    }

    @Test
    void aChatFrameOverTheWebSocketIsOneTraceBelowTheGatewaysFrameSpan() throws Exception {
        String token = Api.newUserToken(gateway);
        Set<String> before = OtlpReceiver.get().traceIdsOfSpansNamed("ws chat");
        SecurityIT.Frames frames = SecurityIT.Frames.open(gateway, token);
        frames.next("ready");
        frames.send("{\"type\":\"chat\",\"id\":\"c1\",\"content\":\"What is 6 * 7?\"}");
        frames.next("stream_end");
        frames.close();

        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        Set<String> fresh = Set.of();
        while (fresh.isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
            fresh = new java.util.HashSet<>(OtlpReceiver.get().traceIdsOfSpansNamed("ws chat"));
            fresh.removeAll(before);
        }
        assertThat(fresh).as("one new 'ws chat' span").hasSize(1);
        List<ReceivedSpan> spans =
                awaitSpans(fresh.iterator().next(), Set.of("realtime-gateway", "orchestration-service"));
        Map<String, ReceivedSpan> byId =
                spans.stream().collect(Collectors.toMap(ReceivedSpan::spanId, Function.identity(), (a, b) -> a));
        ReceivedSpan orchestration = spans.stream()
                .filter(span -> span.service().equals("orchestration-service")
                        && span.parentSpanId().length() > 0)
                .filter(span -> byId.containsKey(span.parentSpanId()))
                .filter(span -> byId.get(span.parentSpanId()).service().equals("realtime-gateway"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no orchestration span below the gateway's in " + spans));
        assertThat(byId.get(orchestration.parentSpanId()).name()).isEqualTo("ws chat");
    }

    @Test
    void aWorkflowStepIsATraceWithItsToolExecutionBelowIt() throws InterruptedException {
        String token = Api.newUserToken(gateway);
        String step = "traced-sum-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Reply workflow = Api.send(
                gateway,
                "POST",
                "/api/v1/workflows",
                token,
                "{\"name\":\"traced\",\"steps\":[{\"id\":\"" + step + "\",\"type\":\"tool\",\"input\":"
                        + "{\"tool\":\"calculator\",\"parameters\":{\"expression\":\"6*7\"}}}]}",
                "application/json");
        assertThat(workflow.status()).as(workflow.body()).isEqualTo(201);
        Reply run = Api.send(
                gateway,
                "POST",
                "/api/v1/workflows/" + workflow.json().get("id").asString() + "/runs",
                token,
                "{\"input\":{}}",
                "application/json");
        assertThat(run.status()).as(run.body()).isEqualTo(202);

        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        Set<String> traces = Set.of();
        while (traces.isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            traces = OtlpReceiver.get().traceIdsOfSpansNamed("step " + step);
        }
        assertThat(traces).as("traces of the span 'step %s'", step).hasSize(1);
        List<ReceivedSpan> spans =
                awaitSpans(traces.iterator().next(), Set.of("orchestration-service", "tool-service"));
        ReceivedSpan root = spans.stream()
                .filter(span -> span.name().equals("step " + step))
                .findFirst()
                .orElseThrow();
        assertThat(root.service()).isEqualTo("orchestration-service");
        assertThat(spans)
                .as("the step's tool execution in %s", spans)
                .anyMatch(span ->
                        span.service().equals("tool-service") && span.name().equals("tool calculator"));
    }

    @Test
    void aProblemCarriesTheExportedTraceId() throws InterruptedException {
        String token = Api.newUserToken(gateway);
        Reply reply =
                Api.send(gateway, "GET", "/api/v1/conversations/" + java.util.UUID.randomUUID(), token, null, null);
        Api.assertProblem(reply, 404, "not_found");
        String traceId = reply.json().get("traceId").asString();

        List<ReceivedSpan> spans = awaitSpans(traceId, Set.of("realtime-gateway", "orchestration-service"));
        assertThat(spans).extracting(ReceivedSpan::service).contains("realtime-gateway", "orchestration-service");
    }

    private static List<ReceivedSpan> awaitSpans(String traceId) throws InterruptedException {
        return awaitSpans(traceId, TURN_SERVICES);
    }

    /** The trace's spans once every one of {@code services} has exported some and none came for a second. */
    private static List<ReceivedSpan> awaitSpans(String traceId, Set<String> services) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        List<ReceivedSpan> spans = List.of();
        int settled = 0;
        while (Instant.now().isBefore(deadline)) {
            List<ReceivedSpan> now = OtlpReceiver.get().spansOf(traceId);
            boolean complete = now.stream()
                    .map(ReceivedSpan::service)
                    .collect(Collectors.toSet())
                    .containsAll(services);
            settled = complete && now.size() == spans.size() ? settled + 1 : 0;
            spans = now;
            if (settled >= 4) {
                return spans;
            }
            Thread.sleep(500);
        }
        return spans;
    }
}
