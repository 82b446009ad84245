package ai.agency.common.config;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;

/**
 * The first step of a graceful shutdown: readiness goes down ({@link ReadinessState#REFUSING_TRAFFIC}, so
 * {@code /actuator/health/readiness} and {@code /readyz} answer 503) and the service keeps serving everything for
 * {@code agency.shutdown.readiness-grace}, so whatever balances in front of it (a Kubernetes Service, a load balancer
 * probing readiness, the gateway's balancing of a route's {@code instances}) stops sending new requests before the
 * web server stops accepting connections and closes its idle keep-alive ones. Only then do the lifecycle phases stop
 * (the gateway's WebSocket drain, Tomcat's graceful shutdown). Without it, readiness and the listener went down in
 * the same instant: a balancer learned of the shutdown from a refused or cut connection, and a POST cut that way is
 * lost (nobody can tell whether it was done).
 *
 * <p>Runs on {@link ContextClosedEvent} of its own context, first among the listeners (before the management
 * server's child context is closed, so a probe of the management port sees the 503 too), before any
 * {@code SmartLifecycle} stops.
 */
final class ReadinessGrace implements ApplicationListener<ContextClosedEvent>, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ReadinessGrace.class);

    private final ApplicationContext context;
    private final ApplicationAvailability availability;
    private final Duration grace;

    ReadinessGrace(ApplicationContext context, ApplicationAvailability availability, Duration grace) {
        this.context = context;
        this.availability = availability;
        this.grace = grace;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (event.getApplicationContext() != context) {
            return; // a child context's close (the management server's) reaches its parent's listeners too
        }
        if (availability.getReadinessState() != ReadinessState.REFUSING_TRAFFIC) {
            AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        }
        if (grace.isZero() || grace.isNegative()) {
            return;
        }
        log.info(
                "Shutting down: readiness is down, still serving for {} ms before the graceful shutdown",
                grace.toMillis());
        try {
            Thread.sleep(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
