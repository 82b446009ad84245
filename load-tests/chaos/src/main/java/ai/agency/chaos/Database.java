package ai.agency.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The PostgreSQL cluster of the platform under test, stopped and started with Debian's {@code pg_ctlcluster} (run as
 * root). Named by {@code CHAOS_DB_CLUSTER} ("15/chaos"), else found by the port of {@code AGENCY_DB_URL}; a cluster on
 * 5432 must be named explicitly, so that nobody restarts a shared database by accident.
 */
final class Database {

    final String version;
    final String name;
    final int port;

    private Database(String version, String name, int port) {
        this.version = version;
        this.name = name;
        this.port = port;
    }

    static Database ofEnvironment() throws IOException, InterruptedException {
        String url = System.getenv().getOrDefault("AGENCY_DB_URL", "jdbc:postgresql://localhost:5432/agency");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("//(localhost|127\\.0\\.0\\.1)(?::(\\d+))?/")
                .matcher(url);
        if (!m.find()) {
            throw new IllegalStateException("AGENCY_DB_URL " + url + " is not a local PostgreSQL: this scenario "
                    + "restarts the database with pg_ctlcluster on this machine");
        }
        int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
        String named = System.getenv("CHAOS_DB_CLUSTER");
        for (String line : run(List.of("pg_lsclusters", "-h")).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && Integer.parseInt(f[2]) == port) {
                if (named == null && port == 5432) {
                    throw new IllegalStateException("the database on 5432 is usually shared: name the cluster to "
                            + "restart explicitly, e.g. CHAOS_DB_CLUSTER=" + f[0] + "/" + f[1]);
                }
                if (named != null && !named.equals(f[0] + "/" + f[1])) {
                    throw new IllegalStateException("CHAOS_DB_CLUSTER=" + named + " but AGENCY_DB_URL's port " + port
                            + " belongs to " + f[0] + "/" + f[1]);
                }
                return new Database(f[0], f[1], port);
            }
        }
        throw new IllegalStateException("no PostgreSQL cluster on port " + port + " (pg_lsclusters)");
    }

    @Override
    public String toString() {
        return version + "/" + name + " (port " + port + ")";
    }

    /** {@code pg_ctlcluster stop} in fast mode: every connection is terminated, in-flight transactions roll back. */
    void stop() throws IOException, InterruptedException {
        run(List.of("pg_ctlcluster", version, name, "stop", "-m", "fast"));
    }

    void start() throws IOException, InterruptedException {
        run(List.of("pg_ctlcluster", version, name, "start"));
    }

    boolean accepting() {
        try {
            return new ProcessBuilder("pg_isready", "-q", "-h", "localhost", "-p", String.valueOf(port))
                            .start()
                            .waitFor()
                    == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void awaitAccepting(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!accepting()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(this + " does not accept connections after " + timeout);
            }
            Api.sleep(Duration.ofMillis(100));
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out.trim());
        }
        return out;
    }
}
