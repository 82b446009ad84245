package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every PromQL expression in the Grafana dashboards and the Prometheus alert rules names only metrics that the
 * running services really export (scraped from each one's {@code /actuator/prometheus} after a little traffic), except
 * the pending metrics listed in docs/operations.md. Reuses the platform the other end-to-end tests started.
 */
class ObservabilityIT {

    /** Made by Prometheus itself, not by a service. */
    private static final Set<String> PROMETHEUS_SYNTHETIC = Set.of("up");

    private static final Set<String> PROMQL_KEYWORDS = Set.of(
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "and",
            "or",
            "unless",
            "offset",
            "bool",
            "inf",
            "nan");

    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*\\w+\\s*\\)\\s*$");
    private static final Pattern HISTOGRAM_SUFFIX = Pattern.compile("_(bucket|count|sum|max|total)$");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static RunningPlatform platform;
    private static Path root;
    private static final Map<String, Set<String>> exported = new TreeMap<>();

    @BeforeAll
    static void scrapeEveryServiceAfterSomeTraffic() throws Exception {
        platform = RunningPlatform.get();
        root = Path.of(System.getProperty("agency.repository.root", ".."))
                .toAbsolutePath()
                .normalize();
        driveTraffic();
        for (String service : RunningPlatform.SERVICES) {
            assertThat(platform.processes.get(service).isAlive())
                    .as(service + " must be running to be scraped")
                    .isTrue();
            HttpResponse<String> scrape = HTTP.send(
                    HttpRequest.newBuilder(URI.create(platform.management(service) + "/actuator/prometheus"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode())
                    .as(service + " /actuator/prometheus")
                    .isEqualTo(200);
            exported.put(service, metricNames(scrape.body()));
        }
    }

    @Test
    void everyServiceExportsHttpJvmAndItsApplicationTag() throws Exception {
        for (String service : RunningPlatform.SERVICES) {
            assertThat(exported.get(service))
                    .as(service)
                    .contains("http_server_requests_seconds_bucket", "jvm_memory_used_bytes", "process_cpu_usage");
            String body = HTTP.send(
                            HttpRequest.newBuilder(URI.create(platform.management(service) + "/actuator/prometheus"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(body).as(service).contains("application=\"" + service + "\"");
        }
    }

    @Test
    void theGatewaysPublicPortServesNoMetricsOnlyItsManagementPortDoes() throws Exception {
        assertThat(platform.management("realtime-gateway")).isNotEqualTo(platform.gateway());
        HttpResponse<String> scrape = HTTP.send(
                HttpRequest.newBuilder(URI.create(platform.gateway() + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(404);
        assertThat(scrape.body()).doesNotContain("jvm_memory_used_bytes");
    }

    @Test
    void everyDashboardAndAlertExpressionNamesOnlyExportedOrPendingMetrics() throws IOException {
        Set<String> all = new TreeSet<>();
        exported.values().forEach(all::addAll);
        Set<String> pending = pendingMetrics();
        Map<String, List<String>> expressions = new LinkedHashMap<>();
        expressions.putAll(dashboardExpressions());
        expressions.putAll(alertExpressions(root.resolve("observability/prometheus/alerts.yml")));
        assertThat(expressions.values().stream().mapToInt(List::size).sum())
                .as("PromQL expressions in dashboards and rules")
                .isGreaterThan(40);

        Map<String, String> unknown = new TreeMap<>();
        Set<String> pendingUsed = new TreeSet<>();
        expressions.forEach((where, exprs) -> {
            for (String expr : exprs) {
                for (String metric : metricsIn(expr)) {
                    String base = HISTOGRAM_SUFFIX.matcher(metric).replaceFirst("");
                    if (pending.contains(metric) || pending.contains(base)) {
                        pendingUsed.add(pending.contains(metric) ? metric : base);
                    } else if (!all.contains(metric) && !PROMETHEUS_SYNTHETIC.contains(metric)) {
                        unknown.put(metric, where + ": " + expr);
                    }
                }
            }
        });
        assertThat(unknown)
                .as(
                        "metrics no service exports (scraped: " + exported.keySet()
                                + "); fix the expression or, for a metric still being built, list it under 'Pending metrics' in docs/operations.md")
                .isEmpty();
        assertThat(pendingUsed)
                .as("every pending metric in docs/operations.md is used by a dashboard or rule (remove stale entries)")
                .containsExactlyInAnyOrderElementsOf(pending);
    }

    @Test
    void theMetricExtractionIgnoresFunctionsLabelsAndKeywords() {
        assertThat(
                        metricsIn(
                                "histogram_quantile(0.95, sum by (application, le) (rate(http_server_requests_seconds_bucket{uri!~\"/actuator.*\", status=~\"5..\"}[$__rate_interval]))) > 1e3"))
                .containsExactly("http_server_requests_seconds_bucket");
        assertThat(
                        metricsIn(
                                "sum(rate(a_total{x=\"y\"}[15m])) > 2 * sum(rate(a_total[6h] offset 15m)) and on (job) up == 0 or vector(0)"))
                .containsExactlyInAnyOrder("a_total", "up");
        assertThat(metricsIn("label_values(jvm_info{application=\"$application\"}, instance)"))
                .containsExactly("jvm_info");
    }

    @Test
    void everyAlertHasARunbookSectionInOperationsDocAndKubernetesCarriesTheSameRules() throws IOException {
        String operations = Files.readString(root.resolve("docs/operations.md"));
        Set<String> anchors = new TreeSet<>();
        for (String line : operations.lines().toList()) {
            if (line.startsWith("#")) {
                anchors.add(githubAnchor(line.replaceFirst("^#+\\s*", "")));
            }
        }
        List<Map<String, Object>> rules = rules(root.resolve("observability/prometheus/alerts.yml"));
        assertThat(rules)
                .extracting(r -> r.get("alert"))
                .contains(
                        "AgencyServiceDown",
                        "AgencyHighErrorRate",
                        "AgencyHighLatency",
                        "AgencyCircuitBreakerOpen",
                        "AgencyHeapHigh",
                        "AgencyDbPoolExhausted",
                        "AgencyWebSocketConnectionsHigh",
                        "AgencyWorkflowFailuresRising",
                        "AgencyMemorySearchSlow");
        for (Map<String, Object> rule : rules) {
            @SuppressWarnings("unchecked")
            Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
            String runbook = String.valueOf(annotations.get("runbook_url"));
            assertThat(runbook).as(rule.get("alert") + " runbook_url").startsWith("docs/operations.md#");
            assertThat(anchors)
                    .as(rule.get("alert") + ": docs/operations.md has a heading for " + runbook)
                    .contains(runbook.substring(runbook.indexOf('#') + 1));
        }

        Map<String, Object> operatorRule = yaml(root.resolve("k8s/components/monitoring/prometheusrule.yaml"));
        assertThat(operatorRule.get("kind")).isEqualTo("PrometheusRule");
        assertThat(((Map<?, ?>) operatorRule.get("spec")).get("groups"))
                .as(
                        "k8s/components/monitoring/prometheusrule.yaml spec.groups equal observability/prometheus/alerts.yml groups")
                .isEqualTo(yaml(root.resolve("observability/prometheus/alerts.yml"))
                        .get("groups"));
    }

    // ------------------------------------------------------------------------------------------ expressions

    static Set<String> metricsIn(String expr) {
        Matcher labelValues = LABEL_VALUES.matcher(expr);
        String e = labelValues.matches() ? labelValues.group(1) : expr;
        e = e.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // string literals
                .replaceAll("\\{[^}]*}", " ") // label matchers
                .replaceAll("\\[[^]]*]", " "); // ranges and subqueries
        e = GROUPING.matcher(e).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            String name = m.group(1);
            String rest = e.substring(m.end()).stripLeading();
            boolean function = rest.startsWith("(");
            boolean number = name.matches("(?i)e\\d*") && m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1));
            if (!function && !number && !PROMQL_KEYWORDS.contains(name.toLowerCase())) {
                names.add(name);
            }
        }
        return names;
    }

    private static Map<String, List<String>> dashboardExpressions() throws IOException {
        Map<String, List<String>> result = new LinkedHashMap<>();
        Path folder = root.resolve("observability/grafana/dashboards");
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode dashboard = JSON.readTree(file.toFile());
                List<String> exprs = new ArrayList<>();
                collectExpressions(dashboard.get("panels"), exprs);
                for (JsonNode variable : dashboard.path("templating").path("list")) {
                    JsonNode query = variable.path("query");
                    String text = query.isObject() ? query.path("query").asString() : query.asString();
                    if (!text.isBlank()) {
                        exprs.add(text);
                    }
                }
                assertThat(exprs).as(file.getFileName() + " has PromQL").isNotEmpty();
                result.put(file.getFileName().toString(), exprs);
            }
        }
        assertThat(result).containsKey("platform-overview.json");
        return result;
    }

    private static void collectExpressions(JsonNode panels, List<String> into) {
        if (panels == null) {
            return;
        }
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    into.add(target.get("expr").asString());
                }
            }
            collectExpressions(panel.get("panels"), into);
        }
    }

    private static Map<String, List<String>> alertExpressions(Path file) throws IOException {
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (Map<String, Object> rule : rules(file)) {
            result.put(file.getFileName() + " " + rule.get("alert"), List.of(String.valueOf(rule.get("expr"))));
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules(Path file) throws IOException {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) yaml(file).get("groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return rules;
    }

    static Map<String, Object> yaml(Path file) throws IOException {
        return new Yaml().load(Files.readString(file));
    }

    /** The list between the pending-metrics markers of docs/operations.md: one "- `name` ..." per line. */
    private static Set<String> pendingMetrics() throws IOException {
        String doc = Files.readString(root.resolve("docs/operations.md"));
        int start = doc.indexOf("<!-- pending-metrics:start -->");
        int end = doc.indexOf("<!-- pending-metrics:end -->");
        assertThat(start).as("pending-metrics markers in docs/operations.md").isNotNegative();
        assertThat(end).isGreaterThan(start);
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^- `([a-zA-Z_:][a-zA-Z0-9_:]*)`").matcher(doc.substring(start, end));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static String githubAnchor(String heading) {
        return heading.trim()
                .toLowerCase()
                .replaceAll("`", "")
                .replaceAll("[^a-z0-9 _-]", "")
                .replace(' ', '-');
    }

    private static Set<String> metricNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.length();
                for (char stop : new char[] {'{', ' '}) {
                    int i = line.indexOf(stop);
                    if (i > 0) {
                        end = Math.min(end, i);
                    }
                }
                names.add(line.substring(0, end));
            }
        }
        return names;
    }

    // ------------------------------------------------------------------------------------------ traffic

    /** Creates the metrics that appear only on first use: memory search, embedding, tool execution, analysis. */
    private static void driveTraffic() throws Exception {
        String user = "obs" + UUID.randomUUID().toString().substring(0, 8);
        send(
                "POST",
                "/api/v1/auth/register",
                null,
                "{\"username\":\"" + user + "\",\"email\":\"" + user
                        + "@example.com\",\"password\":\"correct horse battery\"}");
        JsonNode login = JSON.readTree(send(
                        "POST",
                        "/api/v1/auth/login",
                        null,
                        "{\"username\":\"" + user + "\",\"password\":\"correct horse battery\"}")
                .body());
        String token = login.get("accessToken").asString();
        assertThat(send("POST", "/api/v1/memories", token, "{\"content\":\"I like observability\"}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(send("POST", "/api/v1/memories/search", token, "{\"query\":\"what do I like?\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(send("POST", "/api/v1/tools/calculator/execute", token, "{\"parameters\":{\"expression\":\"6*7\"}}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(send("POST", "/api/v1/analyze/text", token, "{\"text\":\"Metrics are great. Dashboards too.\"}")
                        .statusCode())
                .isEqualTo(200);
        send("GET", "/api/v1/agents", token, null);
    }

    private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(platform.gateway().resolve(path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
