package ai.agency.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Settings of a load run, all system properties with working defaults (pass them as {@code -Dname=value} to Maven).
 * The defaults target a platform started by {@code ./platform up} on this machine.
 */
public final class LoadConfig {

    private LoadConfig() {}

    /** The gateway, e.g. {@code http://localhost:18080} for a second instance. */
    public static String baseUrl() {
        return System.getProperty("baseUrl", "http://localhost:8080").replaceAll("/+$", "");
    }

    /** ws:// or wss:// form of {@link #baseUrl()}. */
    public static String wsBaseUrl() {
        return baseUrl().replaceFirst("^http", "ws");
    }

    /**
     * Loopback addresses the virtual users send from, round robin (127.0.0.2, 127.0.0.3, …). The gateway counts the
     * anonymous rate limits (sign-up, login) per client address and trusts no proxy by default, so one address would
     * be one client; spreading over many addresses models many clients without weakening any limit. 0 = the
     * system's choice (127.0.0.1). Works when the gateway is on this machine and listens on 127.0.0.1 or 0.0.0.0.
     */
    public static List<String> clientAddresses() {
        int count = Integer.getInteger("clientAddresses", 200);
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            addresses.add("127.0." + (i / 250) + "." + (2 + i % 250)); // 127.0.0.2 … 127.0.0.251, 127.0.1.2 …
        }
        return addresses;
    }

    /** Users created (or reused) before the run for scenarios that need signed-in users. */
    public static int users() {
        return Integer.getInteger("users", 60);
    }

    /** Password of the pre-created load users (they are named {@code load_<n>}). */
    public static String userPassword() {
        return System.getProperty("userPassword", "gatling-load-Kx7q2v");
    }

    /** Constant arrival rate (new virtual users per second) of a steady run. */
    public static double rate(double fallback) {
        return Double.parseDouble(System.getProperty("rate", Double.toString(fallback)));
    }

    public static Duration duration(int fallbackSeconds) {
        return Duration.ofSeconds(Integer.getInteger("duration", fallbackSeconds));
    }

    /**
     * Stair-step arrival rates, e.g. {@code -Dsteps=0.5,1,2,4}: one level after another, each {@link #stepDuration()}
     * long, each level's requests reported under their own name ({@code … @2/s}). Empty = a steady run.
     */
    public static List<Double> steps() {
        String steps = System.getProperty("steps", "");
        if (steps.isBlank()) {
            return List.of();
        }
        return Arrays.stream(steps.split(","))
                .map(String::trim)
                .map(Double::parseDouble)
                .toList();
    }

    public static Duration stepDuration() {
        return Duration.ofSeconds(Integer.getInteger("stepSeconds", 30));
    }

    /** Management ports whose readiness the spike run checks afterwards, default the services of {@code baseUrl}. */
    public static List<String> readinessUrls() {
        String given = System.getProperty("readinessUrls", "");
        if (!given.isBlank()) {
            return Arrays.asList(given.split(","));
        }
        String host = baseUrl().replaceFirst(":\\d+$", "");
        int base = Integer.parseInt(baseUrl().replaceFirst("^.*:(\\d+)$", "$1"));
        List<String> urls = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            urls.add(host + ":" + (base + i) + "/actuator/health/readiness");
        }
        urls.add(host + ":" + (base + 1000) + "/actuator/health/readiness");
        return urls;
    }

    /** {@code load-tests/gatling/target}, wherever Maven was started from (files of a run go there). */
    public static java.nio.file.Path targetDir() {
        try {
            java.nio.file.Path classes = java.nio.file.Path.of(LoadConfig.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return classes.getParent(); // target/test-classes → target
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return java.nio.file.Path.of("target");
        }
    }

    static String label(double rate) {
        return (rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate)) + "/s";
    }
}
