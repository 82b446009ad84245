package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Debian's Prometheus and Alertmanager binaries run with test copies of the project's configuration
 * (observability/prometheus/{prometheus.yml,alerts.yml}, observability/alertmanager/alertmanager.yml). The copies
 * differ only where a test must: scrape targets, receiver URLs and secret files point at the test's own servers, and
 * the waiting times are short (every rule's {@code for} becomes 1 s, scrape and evaluation every second, group_wait
 * 1 s, group_interval 2 s). The rule expressions, labels, routes and inhibition rules are the committed ones.
 */
final class AlertStack implements AutoCloseable {

    static final String PACKAGES = "apt-get install prometheus prometheus-alertmanager";

    /** Where each binary is: on PATH (Debian names the Alertmanager binary prometheus-alertmanager). */
    record Binaries(Path prometheus, Path promtool, Path alertmanager, Path amtool) {}

    static final Path ROOT = Path.of(System.getProperty("agency.repository.root", ".."))
            .toAbsolutePath()
            .normalize();
    static final Path ALERTS = ROOT.resolve("observability/prometheus/alerts.yml");
    static final Path PROMETHEUS_YML = ROOT.resolve("observability/prometheus/prometheus.yml");
    static final Path ALERTMANAGER_YML = ROOT.resolve("observability/alertmanager/alertmanager.yml");

    private final List<Process> processes = new ArrayList<>();

    /** The binaries, or the test is skipped (a developer's machine) or fails (CI=true) naming the packages. */
    static Binaries binaries() {
        Optional<Path> prometheus = onPath("prometheus");
        Optional<Path> promtool = onPath("promtool");
        Optional<Path> alertmanager = onPath("prometheus-alertmanager").or(() -> onPath("alertmanager"));
        Optional<Path> amtool = onPath("amtool");
        if (prometheus.isEmpty() || promtool.isEmpty() || alertmanager.isEmpty() || amtool.isEmpty()) {
            String message = "prometheus, promtool, alertmanager and amtool are needed (Debian: " + PACKAGES
                    + "; ./platform test installs them)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            Assumptions.abort(message);
        }
        return new Binaries(prometheus.get(), promtool.get(), alertmanager.get(), amtool.get());
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Stream.of(path.split(File.pathSeparator))
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The result of a command line tool: exit code and what it printed. */
    record Result(int exitCode, String output) {}

    static Result run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    /** alerts.yml with every {@code for: <n>m} shortened to 1 s; nothing else changes. */
    static Path testRules(Path dir) throws IOException {
        String rules = Files.readString(ALERTS);
        String shortened =
                Pattern.compile("(?m)^(\\s+for: )\\d+[smh]$").matcher(rules).replaceAll(m -> m.group(1) + "1s");
        assertThat(shortened).as("alerts.yml has for: clauses to shorten").isNotEqualTo(rules);
        return Files.writeString(dir.resolve("alerts.yml"), shortened);
    }

    /**
     * prometheus.yml with the job "agency" scraping the given targets (address -> service label), the rules of
     * {@link #testRules}, alerts sent to the test's Alertmanager; the job's name and metrics path are the committed.
     */
    @SuppressWarnings("unchecked")
    static Path testPrometheusConfig(Path dir, Map<String, String> targets, int alertmanagerPort) throws IOException {
        Map<String, Object> config = new Yaml().load(Files.readString(PROMETHEUS_YML));
        Map<String, Object> global = (Map<String, Object>) config.get("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        config.put("rule_files", List.of(testRules(dir).toString()));
        Map<String, Object> alerting = (Map<String, Object>) config.get("alerting");
        assertThat(alerting).as("prometheus.yml sends alerts to Alertmanager").isNotNull();
        List<Map<String, Object>> alertmanagers = (List<Map<String, Object>>) alerting.get("alertmanagers");
        assertThat(alertmanagers.toString()).contains("alertmanager:9093");
        alerting.put(
                "alertmanagers",
                List.of(Map.of(
                        "static_configs", List.of(Map.of("targets", List.of("127.0.0.1:" + alertmanagerPort))))));
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
        Map<String, Object> agency = jobs.stream()
                .filter(job -> "agency".equals(job.get("job_name")))
                .findFirst()
                .orElseThrow();
        agency.put(
                "static_configs",
                targets.entrySet().stream()
                        .map(t -> Map.of("targets", List.of(t.getKey()), "labels", Map.of("service", t.getValue())))
                        .toList());
        agency.put("scrape_interval", "1s");
        config.put("scrape_configs", List.of(agency));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return Files.writeString(dir.resolve("prometheus.yml"), new Yaml(options).dump(config));
    }

    /** alertmanager.yml with the webhook, Slack and SMTP endpoints of the test and short grouping times. */
    static Path testAlertmanagerConfig(Path dir, String webhookUrl, String slackUrl, int closedPort)
            throws IOException {
        Path slackFile = Files.writeString(dir.resolve("slack_api_url"), slackUrl);
        Path smtpFile = Files.writeString(dir.resolve("smtp_password"), "test-only");
        String config = Files.readString(ALERTMANAGER_YML);
        Map<String, String> replacements = Map.of(
                "http://alert-webhook:9095/alerts",
                webhookUrl,
                "/etc/alertmanager/secrets/slack_api_url",
                slackFile.toString(),
                "/etc/alertmanager/secrets/smtp_password",
                smtpFile.toString(),
                "smtp.example.com:587",
                "127.0.0.1:" + closedPort,
                "group_wait: 30s",
                "group_wait: 1s",
                "group_interval: 5m",
                "group_interval: 2s");
        for (var replacement : replacements.entrySet()) {
            assertThat(config)
                    .as("alertmanager.yml names " + replacement.getKey())
                    .contains(replacement.getKey());
            config = config.replace(replacement.getKey(), replacement.getValue());
        }
        return Files.writeString(dir.resolve("alertmanager.yml"), config);
    }

    void startAlertmanager(Binaries binaries, Path dir, Path config, int port) throws IOException {
        start(
                dir,
                "alertmanager",
                binaries.alertmanager().toString(),
                "--config.file=" + config,
                "--storage.path=" + dir.resolve("alertmanager-data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=");
    }

    void startPrometheus(Binaries binaries, Path dir, Path config, int port) throws IOException {
        start(
                dir,
                "prometheus",
                binaries.prometheus().toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                "--web.listen-address=127.0.0.1:" + port);
    }

    private void start(Path dir, String name, String... command) throws IOException {
        Path log = Path.of("target", "alerting-" + name + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        processes.add(new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start());
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
