package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.platform.AlertStack.Binaries;
import ai.agency.platform.AlertStack.Result;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alerts reach someone: the committed rules, Prometheus configuration and Alertmanager routes, run by Debian's real
 * {@code prometheus} and {@code prometheus-alertmanager} (test copies with short waiting times, see
 * {@link AlertStack}), deliver a firing rule to an in-test webhook and Slack receiver with its labels, and a service
 * that is down holds back its callers' error alerts (inhibition) until it is back. Also runs {@code promtool check
 * rules}, {@code amtool check-config} and {@code amtool config routes test}. Does not start the platform: the scrape
 * targets are in-test {@code /actuator/prometheus} endpoints and a port where nothing listens.
 */
class AlertingIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void theRulesAndTheAlertmanagerConfigurationPassTheirOwnTools() throws Exception {
        Binaries tools = AlertStack.binaries();
        Result rules = AlertStack.run(dir, tools.promtool().toString(), "check", "rules", AlertStack.ALERTS.toString());
        assertThat(rules.exitCode()).as(rules.output()).isZero();
        long declared = java.nio.file.Files.readAllLines(AlertStack.ALERTS).stream()
                .filter(line -> line.strip().startsWith("- alert:"))
                .count();
        assertThat(declared).as("alert rules in %s", AlertStack.ALERTS).isGreaterThanOrEqualTo(10);
        assertThat(rules.output()).contains("SUCCESS: " + declared + " rules found"); // promtool read every one

        Result config =
                AlertStack.run(dir, tools.amtool().toString(), "check-config", AlertStack.ALERTMANAGER_YML.toString());
        assertThat(config.exitCode()).as(config.output()).isZero();
        assertThat(config.output()).contains("SUCCESS", "6 inhibit rules", "3 receivers");

        Path prometheus = AlertStack.testPrometheusConfig(dir, Map.of("127.0.0.1:1", "auth-service"), 9093);
        Result promConfig = AlertStack.run(dir, tools.promtool().toString(), "check", "config", prometheus.toString());
        assertThat(promConfig.exitCode()).as(promConfig.output()).isZero();

        // severity picks the receiver: critical pages (webhook + Slack + email), warning tickets, the rest the webhook
        assertRoute(tools, "critical", "alertname=AgencyServiceDown", "service=memory-service", "severity=critical");
        assertRoute(tools, "warning", "alertname=AgencyHeapHigh", "application=tool-service", "severity=warning");
        assertRoute(tools, "webhook", "alertname=SomethingElse");
    }

    private void assertRoute(Binaries tools, String receiver, String... labels) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                tools.amtool().toString(),
                "config",
                "routes",
                "test",
                "--config.file=" + AlertStack.ALERTMANAGER_YML,
                "--verify.receivers=" + receiver));
        command.addAll(List.of(labels));
        Result result = AlertStack.run(dir, command.toArray(String[]::new));
        assertThat(result.exitCode())
                .as(String.join(" ", labels) + ": " + result.output())
                .isZero();
        assertThat(result.output().strip()).endsWith(receiver);
    }

    @Test
    void aFiringRuleReachesTheReceiversAndADownServiceHoldsBackItsCallersErrorAlerts() throws Exception {
        Binaries tools = AlertStack.binaries();
        List<JsonNode> webhook = new CopyOnWriteArrayList<>();
        List<JsonNode> slack = new CopyOnWriteArrayList<>();
        HttpServer receiver = server(0);
        receiver.createContext("/alerts", exchange -> record(exchange, webhook));
        receiver.createContext("/slack", exchange -> record(exchange, slack));
        String receiverBase = "http://127.0.0.1:" + receiver.getAddress().getPort();

        // orchestration-service: answers 10 requests a second, all 200 until errorsFrom is set, then half of them 500
        long started = System.nanoTime();
        AtomicLong errorsFrom = new AtomicLong(Long.MAX_VALUE);
        HttpServer orchestration = server(0);
        orchestration.createContext("/actuator/prometheus", exchange -> {
            long now = System.nanoTime();
            long ok = (now - started) / 100_000_000L;
            long failed = Math.max(0, (now - errorsFrom.get()) / 100_000_000L);
            respond(exchange, "text/plain; version=0.0.4", metric("200", ok) + metric("500", failed) + "up_marker 1\n");
        });
        int orchestrationPort = orchestration.getAddress().getPort();
        int memoryPort = AlertStack.freePort(); // memory-service: nothing listens here until it "comes back"
        int alertmanagerPort = AlertStack.freePort();
        int prometheusPort = AlertStack.freePort();

        HttpServer memory = null;
        try (AlertStack stack = new AlertStack()) {
            Path amConfig = AlertStack.testAlertmanagerConfig(
                    dir, receiverBase + "/alerts", receiverBase + "/slack", AlertStack.freePort());
            stack.startAlertmanager(tools, dir, amConfig, alertmanagerPort);
            Path promConfig = AlertStack.testPrometheusConfig(
                    dir,
                    Map.of(
                            "127.0.0.1:" + memoryPort, "memory-service",
                            "127.0.0.1:" + orchestrationPort, "orchestration-service"),
                    alertmanagerPort);
            stack.startPrometheus(tools, dir, promConfig, prometheusPort);

            // 1. memory-service cannot be scraped: AgencyServiceDown reaches the webhook and Slack with its labels
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(delivered(webhook, "AgencyServiceDown", "firing"))
                            .isNotEmpty());
            JsonNode down = delivered(webhook, "AgencyServiceDown", "firing").getFirst();
            assertThat(down.path("labels").path("service").asString()).isEqualTo("memory-service");
            assertThat(down.path("labels").path("severity").asString()).isEqualTo("critical");
            assertThat(down.path("labels").path("job").asString()).isEqualTo("agency");
            assertThat(down.path("labels").path("platform").asString())
                    .as("Prometheus' external label")
                    .isEqualTo("agency");
            assertThat(down.path("annotations").path("runbook_url").asString())
                    .isEqualTo("docs/operations.md#agencyservicedown");
            assertThat(webhook)
                    .anySatisfy(
                            body -> assertThat(body.path("receiver").asString()).isEqualTo("critical"));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(slack.toString())
                            .contains("FIRING AgencyServiceDown memory-service", "is down"));

            // 2. orchestration-service, which calls memory-service, now fails half its requests: its rule fires in
            // Prometheus and reaches Alertmanager, which holds it back while memory-service is down
            errorsFrom.set(System.nanoTime());
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(alertmanagerState(alertmanagerPort, "AgencyHighErrorRate"))
                            .isEqualTo("suppressed"));
            Thread.sleep(5_000); // more than two group intervals (2 s) of the test copy
            assertThat(delivered(webhook, "AgencyHighErrorRate", "firing"))
                    .as("inhibited while AgencyServiceDown{service=memory-service} fires")
                    .isEmpty();

            // 3. memory-service is back: the down alert resolves, and the held-back error alert is delivered now
            memory = server(memoryPort);
            memory.createContext("/actuator/prometheus", exchange -> respond(exchange, "text/plain", "up_marker 1\n"));
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(delivered(webhook, "AgencyServiceDown", "resolved"))
                            .isNotEmpty());
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(delivered(webhook, "AgencyHighErrorRate", "firing"))
                            .anySatisfy(alert -> assertThat(alert.path("labels")
                                            .path("application")
                                            .asString())
                                    .isEqualTo("orchestration-service")));
        } finally {
            receiver.stop(0);
            orchestration.stop(0);
            if (memory != null) {
                memory.stop(0);
            }
        }
    }

    private static String metric(String status, long count) {
        return "http_server_requests_seconds_count{application=\"orchestration-service\",method=\"POST\",status=\""
                + status + "\",uri=\"/api/v1/conversations/{id}/messages\"} " + count + "\n";
    }

    /** The alerts of that name and status in everything the webhook received. */
    private static List<JsonNode> delivered(List<JsonNode> bodies, String alertname, String status) {
        List<JsonNode> alerts = new ArrayList<>();
        for (JsonNode body : bodies) {
            for (JsonNode alert : body.path("alerts")) {
                if (alertname.equals(alert.path("labels").path("alertname").asString())
                        && status.equals(alert.path("status").asString())) {
                    alerts.add(alert);
                }
            }
        }
        return alerts;
    }

    /** Alertmanager's state of the alert with that name ("active", "suppressed"), or "absent". */
    private static String alertmanagerState(int port, String alertname) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v2/alerts"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode alert : JSON.readTree(response.body())) {
            if (alertname.equals(alert.path("labels").path("alertname").asString())) {
                if ("suppressed".equals(alert.path("status").path("state").asString())) {
                    assertThat(alert.path("status").path("inhibitedBy").isEmpty())
                            .as("suppressed by an inhibition, not a silence")
                            .isFalse();
                }
                return alert.path("status").path("state").asString();
            }
        }
        return "absent";
    }

    private static HttpServer server(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    private static void record(HttpExchange exchange, List<JsonNode> into) throws IOException {
        try (exchange) {
            into.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
        }
    }

    private static void respond(HttpExchange exchange, String contentType, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }
}
