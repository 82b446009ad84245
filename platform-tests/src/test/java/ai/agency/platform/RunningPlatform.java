package ai.agency.platform;

import ai.agency.common.crypto.SecretSealer;
import ai.agency.common.testsupport.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The six real service jars, started as separate processes on free ports against a fresh test database, wired to
 * each other as in production (JWKS of auth-service, gateway routes). Started once per test JVM, stopped at exit.
 */
final class RunningPlatform {

    /** In start order, from platform.services. */
    static final List<String> SERVICES = PlatformServices.read().names();

    static final String SECOND_GATEWAY = "realtime-gateway-2";

    /** The loopback address tool-service lets HTTP tools reach: tests start their tools' servers on it. */
    static final String TEST_TOOL_HOST = "127.0.0.42";

    private static RunningPlatform instance;

    final Map<String, Integer> ports = new LinkedHashMap<>();
    /** Services whose actuator has a port of its own (the gateway: never its public port). */
    final Map<String, Integer> managementPorts = new LinkedHashMap<>();

    final Map<String, Process> processes = new LinkedHashMap<>();
    final String adminPassword = "admin-" + UUID.randomUUID();
    /** A real random master key, the same for every service (they refuse to start without one). */
    final String masterKey = SecretSealer.newMasterKey();
    /** The secret of the usage relays and auth-service's ingest, random as {@code ./platform} makes it. */
    final String usageSecret = SecretSealer.newMasterKey();

    private final Path root;
    private final Path logs;
    private TestDatabase.Coordinates database;

    private RunningPlatform(Path root) {
        this.root = root;
        this.logs = root.resolve("platform-tests/target/service-logs");
    }

    static synchronized RunningPlatform get() {
        if (instance == null) {
            Path root = Path.of(System.getProperty("agency.repository.root", ".."))
                    .toAbsolutePath()
                    .normalize();
            RunningPlatform platform = new RunningPlatform(root);
            Runtime.getRuntime().addShutdownHook(new Thread(platform::stop, "stop-platform"));
            platform.start();
            instance = platform;
        }
        return instance;
    }

    URI gateway() {
        return URI.create("http://localhost:" + ports.get("realtime-gateway"));
    }

    URI service(String name) {
        return URI.create("http://localhost:" + ports.get(name));
    }

    /**
     * A second gateway replica (started on first use, then kept), for what must hold on every replica: revocation,
     * WebSocket closes, resumes.
     */
    synchronized URI secondGateway() {
        if (!ports.containsKey(SECOND_GATEWAY)) {
            ports.put(SECOND_GATEWAY, freePort());
            managementPorts.put(SECOND_GATEWAY, freePort());
            try {
                processes.put(SECOND_GATEWAY, launch(SECOND_GATEWAY, database));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            awaitReady(Duration.ofMinutes(3), List.of(SECOND_GATEWAY));
        }
        return service(SECOND_GATEWAY);
    }

    /** Where the service's actuator answers ({@code /actuator/prometheus}, health): its management port, if any. */
    URI management(String name) {
        return URI.create("http://localhost:" + managementPorts.getOrDefault(name, ports.get(name)));
    }

    /** Starts a stopped service again on its port and waits until it is ready. */
    void restartService(String name) {
        try {
            processes.put(name, launch(name, database));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        awaitReady(Duration.ofMinutes(2));
    }

    /** The database the platform was started on. */
    TestDatabase.Coordinates database() {
        return database;
    }

    /** Stops the service and starts it again on its port against another database; waits until it is ready. */
    void moveService(String name, TestDatabase.Coordinates db) {
        stopService(name);
        try {
            processes.put(name, launch(name, db));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        awaitReady(Duration.ofMinutes(2));
    }

    /** Kills the service with SIGKILL, as a crash: no shutdown hook runs, nothing is released. */
    void killService(String name) {
        Process process = processes.get(name);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stopService(String name) {
        Process process = processes.get(name);
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void start() {
        TestDatabase.Coordinates db = TestDatabase.create();
        database = db;
        for (String service : SERVICES) {
            ports.put(service, freePort());
        }
        managementPorts.put("realtime-gateway", freePort());
        try {
            Files.createDirectories(logs);
            for (String service : SERVICES) {
                processes.put(service, launch(service, db));
            }
            awaitReady(Duration.ofSeconds(Long.getLong("agency.platform.start-timeout-seconds", 480)));
        } catch (IOException e) {
            stop();
            throw new IllegalStateException("Could not start the platform", e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    private Process launch(String service, TestDatabase.Coordinates db) throws IOException {
        String module = service.equals(SECOND_GATEWAY) ? "realtime-gateway" : service;
        Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the reactor build (./platform test) first");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(
                java,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx512m",
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        logs.resolve(service + ".log").toFile()));
        Map<String, String> env = builder.environment();
        env.put("SERVER_PORT", ports.get(service).toString());
        if (managementPorts.containsKey(service)) {
            env.put("MANAGEMENT_SERVER_PORT", managementPorts.get(service).toString());
        }
        env.put("AGENCY_MASTER_KEY", masterKey);
        env.put("AGENCY_USAGE_INGEST_SECRET", usageSecret);
        // every service exports its spans to the in-test receiver (TracingIT reads them; the others never do)
        env.put("AGENCY_OTLP_ENDPOINT", OtlpReceiver.get().endpoint().toString());
        env.put("AGENCY_DB_URL", db.url());
        env.put("AGENCY_DB_USERNAME", db.username());
        env.put("AGENCY_DB_PASSWORD", db.password());
        env.put("AGENCY_SECURITY_JWKS_URI", service("auth-service") + "/.well-known/jwks.json");
        env.put("AGENCY_SECURITY_ISSUER", gateway().toString()); // the public URL, as in a real install
        env.put("AGENCY_ADMIN_USERNAME", "admin");
        env.put("AGENCY_ADMIN_PASSWORD", adminPassword);
        env.put("AGENCY_AUTH_BCRYPT_COST", "10");
        // HTTP tools of tests may reach servers the tests run on this loopback address (every other one stays refused)
        env.put("AGENCY_TOOL_ALLOWED_HOSTS", TEST_TOOL_HOST);
        // seven processes on one PostgreSQL (max_connections 100 by default): open connections as needed, not ten each
        env.put("SPRING_DATASOURCE_HIKARI_MINIMUM_IDLE", "1");
        env.put("SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "6");
        for (var route : Map.of(
                        "AUTH", "auth-service",
                        "MEMORY", "memory-service",
                        "TOOL", "tool-service",
                        "ORCHESTRATION", "orchestration-service",
                        "MULTIMODAL", "multimodal-service")
                .entrySet()) {
            env.put(
                    "AGENCY_GATEWAY_ROUTES_" + route.getKey() + "_URI",
                    service(route.getValue()).toString());
            env.put(
                    "AGENCY_CLIENTS_" + route.getKey() + "_BASE_URL",
                    service(route.getValue()).toString());
        }
        // auth-service's export and erasure jobs reach the gateway's own /internal/account-data on its public port
        env.put("AGENCY_CLIENTS_GATEWAY_BASE_URL", gateway().toString());
        return builder.start();
    }

    private void awaitReady(Duration timeout) {
        awaitReady(timeout, SERVICES);
    }

    private void awaitReady(Duration timeout, List<String> services) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        List<String> pending = new ArrayList<>(services);
        while (!pending.isEmpty()) {
            for (String service : List.copyOf(pending)) {
                Process process = processes.get(service);
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            service + " exited with " + process.exitValue() + ":\n" + tail(service));
                }
                try {
                    HttpResponse<String> response = http.send(
                            HttpRequest.newBuilder(URI.create(management(service) + "/actuator/health/readiness"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        pending.remove(service);
                    }
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "Not ready after " + timeout + ": " + pending + "\n" + tail(pending.getFirst()));
            }
            sleep(500);
        }
    }

    String tail(String service) {
        try {
            List<String> lines = Files.readAllLines(logs.resolve(service + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void stop() {
        processes.values().forEach(Process::destroy);
        for (Process process : processes.values()) {
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
