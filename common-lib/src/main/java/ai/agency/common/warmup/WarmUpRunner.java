package ai.agency.common.warmup;

import ai.agency.common.client.ServiceClients;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;

/**
 * Warms a service up before it reports ready: Spring Boot keeps readiness at {@code REFUSING_TRAFFIC} until every
 * {@link ApplicationRunner} has finished, so the load balancer and {@code ./platform up} send no traffic before this
 * ran. Opens the database pool and a connection of each HTTP client to its downstream — failures there are only
 * logged: a database or downstream that is not up yet is the business of the health checks — then runs the service's
 * own {@link WarmUp} steps, each once, and logs one line with what each took. Off with
 * {@code agency.warm-up.enabled=false}.
 */
public class WarmUpRunner implements ApplicationRunner, Ordered {

    private static final Logger log = LoggerFactory.getLogger(WarmUpRunner.class);
    private static final Duration DOWNSTREAM_TIMEOUT = Duration.ofSeconds(2);

    private final ObjectProvider<DataSource> dataSource;
    private final ObjectProvider<ServiceClients> clients;
    private final Map<String, WarmUp> steps;

    public WarmUpRunner(
            ObjectProvider<DataSource> dataSource, ObjectProvider<ServiceClients> clients, Map<String, WarmUp> steps) {
        this.dataSource = dataSource;
        this.clients = clients;
        this.steps = steps;
    }

    /** Last of the runners: whatever other runners set up is warmed up too. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void run(ApplicationArguments args) throws Exception {
        long started = System.nanoTime();
        List<String> report = new ArrayList<>();
        DataSource database = dataSource.getIfUnique();
        if (database != null) {
            tolerantStep(report, "database", () -> {
                try (Connection connection = database.getConnection()) {
                    connection.isValid(2);
                }
            });
        }
        ServiceClients serviceClients = clients.getIfAvailable();
        if (serviceClients != null) {
            tolerantStep(report, "downstreams", () -> serviceClients.openConnections(DOWNSTREAM_TIMEOUT));
        }
        for (Map.Entry<String, WarmUp> step : steps.entrySet()) {
            long stepStarted = System.nanoTime();
            step.getValue().warmUp();
            report.add(step.getKey() + " " + millisSince(stepStarted) + " ms");
        }
        log.info("Warmed up before readiness in {} ms: {}", millisSince(started), String.join(", ", report));
    }

    private static void tolerantStep(List<String> report, String name, WarmUp warmUp) {
        long started = System.nanoTime();
        try {
            warmUp.warmUp();
            report.add(name + " " + millisSince(started) + " ms");
        } catch (Exception | LinkageError e) {
            report.add(name + " failed");
            log.warn(
                    "Warm-up of the {} failed after {} ms (the service starts anyway): {}",
                    name,
                    millisSince(started),
                    e.toString());
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
