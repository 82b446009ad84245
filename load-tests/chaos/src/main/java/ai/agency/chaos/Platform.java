package ai.agency.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform that {@code ./platform up} started from this checkout: its ports (honouring {@code
 * AGENCY_PORT_BASE}), the pids it recorded in {@code .platform/}, the admin password it generated, and the two
 * things a chaos scenario does to it: kill a service and start the missing ones again with {@code ./platform up}.
 */
final class Platform {

    static final List<String> SERVICES = List.of(
            "auth-service",
            "memory-service",
            "tool-service",
            "orchestration-service",
            "multimodal-service",
            "realtime-gateway");

    private static final Map<String, Integer> OFFSET = Map.of(
            "realtime-gateway", 0,
            "auth-service", 1,
            "memory-service", 2,
            "tool-service", 3,
            "orchestration-service", 4,
            "multimodal-service", 5);

    private static final Pattern CIRCUIT_STATE =
            Pattern.compile("^resilience4j_circuitbreaker_state\\{([^}]*)\\}\\s+([0-9.eE+-]+)$", Pattern.MULTILINE);

    final Path root;
    final int portBase;
    final Api api = new Api();

    Platform() {
        this.root =
                Path.of(System.getProperty("chaos.root", ".")).toAbsolutePath().normalize();
        this.portBase = Integer.parseInt(System.getenv().getOrDefault("AGENCY_PORT_BASE", "8080"));
        if (!Files.isExecutable(root.resolve("platform"))) {
            throw new IllegalStateException(
                    root + " has no ./platform: run from the checkout (load-tests/chaos/run.sh)");
        }
    }

    String gateway() {
        return url("realtime-gateway");
    }

    int port(String service) {
        return portBase + OFFSET.get(service);
    }

    String url(String service) {
        return "http://localhost:" + port(service);
    }

    /** Where the service's actuator answers: the gateway's on base+1000, the others' on their own port. */
    String managementUrl(String service) {
        return service.equals("realtime-gateway") ? "http://localhost:" + (portBase + 1000) : url(service);
    }

    Optional<Long> pid(String service) {
        try {
            return Optional.of(Long.parseLong(Files.readString(root.resolve(".platform/" + service + ".pid"))
                            .trim()))
                    .filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** SIGKILL (kill -9) of the service's JVM; waits until it is gone. */
    void kill(String service) {
        long pid = pid(service).orElseThrow(() -> new IllegalStateException(service + " is not running"));
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
        p.destroyForcibly();
        p.onExit().join();
    }

    /** {@code ./platform up}, which starts only the services that are not running, and waits for their readiness. */
    Duration up() {
        long t0 = System.nanoTime();
        try {
            Process p = new ProcessBuilder("./platform", "up")
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(
                            root.resolve(".platform/logs/chaos-platform-up.log").toFile())
                    .start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("./platform up failed, see .platform/logs/chaos-platform-up.log");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ./platform up", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    boolean ready(String service) {
        Api.Response r = api.get(managementUrl(service) + "/actuator/health/readiness", null);
        return r.status() == 200 && r.text("status").equals("UP");
    }

    boolean allReady() {
        return SERVICES.stream().allMatch(this::ready);
    }

    /** Fails fast when the platform is not up: every scenario starts from a healthy platform. */
    void requireUp() {
        List<String> down = SERVICES.stream().filter(s -> !ready(s)).toList();
        if (!down.isEmpty()) {
            throw new IllegalStateException("not ready: " + down + " (start the platform with AGENCY_PORT_BASE="
                    + portBase + " ./platform up first)");
        }
    }

    String adminPassword() {
        String fromEnv = System.getenv("AGENCY_ADMIN_PASSWORD");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return Files.readString(root.resolve(".platform/admin-password")).trim();
        } catch (IOException e) {
            throw new IllegalStateException("no AGENCY_ADMIN_PASSWORD and no .platform/admin-password", e);
        }
    }

    /** Circuit breakers of a service that are open, forced open or half open, from its Prometheus metrics. */
    List<String> circuitsNotClosed(String service) {
        String text;
        try {
            text = api.http()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create(managementUrl(service) + "/actuator/prometheus"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return List.of(service + ": metrics unreadable (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("interrupted");
        }
        List<String> notClosed = new ArrayList<>();
        Matcher m = CIRCUIT_STATE.matcher(text);
        while (m.find()) {
            String labels = m.group(1);
            if (Double.parseDouble(m.group(2)) > 0 && !labels.contains("state=\"closed\"")) {
                notClosed.add(service + ":" + label(labels, "name") + "=" + label(labels, "state"));
            }
        }
        return notClosed;
    }

    List<String> circuitsNotClosed() {
        return SERVICES.stream().flatMap(s -> circuitsNotClosed(s).stream()).toList();
    }

    private static String label(String labels, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(labels);
        return m.find() ? m.group(1) : "?";
    }
}
