package ai.agency.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A second realtime-gateway beside the one {@code ./platform up} started: the same jar, JVM options and environment
 * as the launcher's {@code start_service} gives it (peers, database, master key), on {@code base+10} with its
 * actuator on {@code base+1010}. Its log is {@code .platform/logs/realtime-gateway-2.log}.
 */
final class GatewayReplica {

    final int port;
    final int managementPort;
    private final Process process;

    private GatewayReplica(int port, int managementPort, Process process) {
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
    }

    static GatewayReplica start(Platform platform) throws IOException {
        int port = platform.portBase + 10;
        int management = platform.portBase + 1010;
        Path run = platform.root.resolve(".platform/run/realtime-gateway");
        Path jar = Files.exists(run.resolve("realtime-gateway.jar"))
                ? run.resolve("realtime-gateway.jar")
                : platform.root.resolve("realtime-gateway/target/realtime-gateway.jar");
        String javaHome = System.getProperty("java.home");
        List<String> command = new ArrayList<>(List.of(javaHome + "/bin/java"));
        String opts = System.getenv().getOrDefault("JAVA_OPTS", "--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC");
        command.addAll(List.of(opts.trim().split("\\s+")));
        if (Files.exists(run.resolve("app.aot")) && jar.startsWith(run)) {
            command.add("-XX:AOTCache=" + run.resolve("app.aot"));
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(platform.root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(platform.root
                        .resolve(".platform/logs/realtime-gateway-2.log")
                        .toFile());
        Map<String, String> env = pb.environment();
        String local = "http://localhost:";
        env.put("SERVER_PORT", String.valueOf(port));
        env.put("MANAGEMENT_SERVER_PORT", String.valueOf(management));
        env.put("AGENCY_SECURITY_JWKS_URI", local + platform.port("auth-service") + "/.well-known/jwks.json");
        for (String route : List.of("auth", "memory", "tool", "orchestration", "multimodal")) {
            String service = route + "-service";
            String url = local + platform.port(service);
            env.put("AGENCY_GATEWAY_ROUTES_" + route.toUpperCase() + "_URI", url);
            if (!route.equals("orchestration")) {
                env.put("AGENCY_CLIENTS_" + route.toUpperCase() + "_BASE_URL", url);
            }
        }
        if (env.getOrDefault("AGENCY_MASTER_KEY", "").isBlank()) {
            env.put(
                    "AGENCY_MASTER_KEY",
                    Files.readString(platform.root.resolve(".platform/master-key"))
                            .trim());
        }
        return new GatewayReplica(port, management, pb.start());
    }

    void awaitReady(Platform platform, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the second gateway exited, see .platform/logs/realtime-gateway-2.log");
            }
            Api.Response r =
                    platform.api.get("http://localhost:" + managementPort + "/actuator/health/readiness", null);
            if (r.status() == 200) {
                return;
            }
            Api.sleep(Duration.ofSeconds(1));
        }
        throw new IllegalStateException("the second gateway is not ready after " + timeout);
    }

    long pid() {
        return process.pid();
    }

    void kill() {
        process.destroyForcibly();
        process.onExit().join();
    }
}
