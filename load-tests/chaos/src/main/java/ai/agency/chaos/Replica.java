package ai.agency.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A second instance of a service beside the one {@code ./platform up} started: the very command line and environment
 * of the running one (read from {@code /proc/<pid>}), with its ports moved by {@code +100} (the gateway's actuator
 * too). Its log is {@code .platform/logs/<service>-2.log}.
 */
final class Replica {

    final String service;
    final int port;
    final int managementPort;
    private final Process process;

    private Replica(String service, int port, int managementPort, Process process) {
        this.service = service;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
    }

    static Replica start(Platform platform, String service, int offset) throws IOException {
        long pid = platform.pid(service).orElseThrow(() -> new IllegalStateException(service + " is not running"));
        List<String> command = new ArrayList<>();
        for (String arg : Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8)
                .split("\0")) {
            if (!arg.isEmpty()) {
                command.add(arg);
            }
        }
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(platform.root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(platform.root
                        .resolve(".platform/logs/" + service + "-2.log")
                        .toFile()));
        Map<String, String> env = pb.environment();
        env.clear();
        for (String entry : Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.UTF_8)
                .split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        int port = platform.port(service) + offset;
        env.put("SERVER_PORT", String.valueOf(port));
        int management = port;
        if (env.containsKey("MANAGEMENT_SERVER_PORT")) {
            management = Integer.parseInt(env.get("MANAGEMENT_SERVER_PORT")) + offset;
            env.put("MANAGEMENT_SERVER_PORT", String.valueOf(management));
        }
        return new Replica(service, port, management, pb.start());
    }

    void awaitReady(Platform platform, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service + "-2 exited, see .platform/logs/" + service + "-2.log");
            }
            if (platform.api
                            .get("http://localhost:" + managementPort + "/actuator/health/readiness", null)
                            .status()
                    == 200) {
                return;
            }
            Api.sleep(Duration.ofSeconds(1));
        }
        throw new IllegalStateException(service + "-2 is not ready after " + timeout);
    }

    /** SIGTERM: the graceful shutdown a rolling update does; waits until the JVM is gone. */
    Duration stopGracefully() {
        long t0 = System.nanoTime();
        process.destroy();
        process.onExit().join();
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    boolean alive() {
        return process.isAlive();
    }
}
