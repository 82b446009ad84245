package ai.agency.gateway.rollout;

import ai.agency.common.error.AgencyException;
import ai.agency.gateway.GatewayProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.server.mvc.common.DefaultArgumentSuppliedEvent;
import org.springframework.cloud.gateway.server.mvc.common.WeightConfig;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * The weight of every route's canary on this replica. It starts at the configured weight; a weight set at runtime
 * ({@link #set}) is applied at once here, stored in PostgreSQL and picked up by every other replica within {@code
 * agency.gateway.rollout.sync-interval}. Applying a weight is telling Spring Cloud Gateway's weight calculator the new
 * weights of the route's weight group (stable {@code 100 - w}, canary {@code w}). Prometheus sees {@code
 * agency_gateway_canary_weight{route}} and {@code agency_gateway_canary_rollbacks_total{route}}.
 */
@Component
public class CanaryWeights implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CanaryWeights.class);

    /** Where a route's canary weight stands on this replica. */
    public record State(
            URI stable,
            URI canary,
            int configuredWeight,
            int weight,
            String source,
            String reason,
            @Nullable Instant changedAt,
            boolean stored) {

        State with(int newWeight, String newSource, String newReason, boolean isStored) {
            return new State(
                    stable, canary, configuredWeight, newWeight, newSource, newReason, Instant.now(), isStored);
        }
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Map<String, Counter> rollbacks = new ConcurrentHashMap<>();
    private final CanaryWeightStore store;
    private final ApplicationEventPublisher events;
    private final RolloutProperties properties;
    private @Nullable ScheduledExecutorService sync;

    CanaryWeights(
            GatewayProperties gateway,
            RolloutProperties properties,
            CanaryWeightStore store,
            ApplicationEventPublisher events,
            MeterRegistry meters) {
        this.store = store;
        this.events = events;
        this.properties = properties;
        gateway.routes().forEach((route, target) -> {
            GatewayProperties.Canary canary = target.canary();
            if (canary == null) {
                return;
            }
            states.put(
                    route,
                    new State(
                            target.uri(),
                            canary.uri(),
                            canary.weight(),
                            canary.weight(),
                            "config",
                            "configured weight",
                            null,
                            true));
            Gauge.builder("agency.gateway.canary.weight", () -> require(route).weight())
                    .description("% of the route's requests sent to its canary on this replica")
                    .tag("route", route)
                    .register(meters);
            rollbacks.put(
                    route,
                    Counter.builder("agency.gateway.canary.rollbacks")
                            .description("Canary weights set to 0 by an alert")
                            .tag("route", route)
                            .register(meters));
        });
    }

    /** The id of the route that proxies to a route's canary (the stable one keeps the route's name). */
    public static String canaryRouteId(String route) {
        return route + "-canary";
    }

    /** Every route with a canary, by name. */
    public Map<String, State> all() {
        return new LinkedHashMap<>(states);
    }

    /** The route's canary state; 404 problem for a route that has no canary. */
    public State require(String route) {
        State state = states.get(route);
        if (state == null) {
            throw AgencyException.notFound("Canary of route", route);
        }
        return state;
    }

    /** The route's last {@code limit} weight changes, newest first (the audit); 404 problem without a canary. */
    java.util.List<CanaryWeightStore.Change> changes(String route, int limit) {
        require(route);
        return store.changes(route, limit);
    }

    /** Sets the route's canary weight here at once and for every replica (stored); audited with source and reason. */
    public synchronized State set(String route, int weight, String source, String reason) {
        if (weight < 0 || weight > 100) {
            throw AgencyException.invalidField("weight", "must be between 0 and 100, was " + weight);
        }
        State previous = require(route);
        State next = apply(route, previous.with(weight, source, reason, false));
        log.warn(
                "Canary weight of route '{}' ({}) set from {} to {} by {}: {}",
                route,
                previous.canary(),
                previous.weight(),
                weight,
                source,
                reason);
        Counter rollback = rollbacks.get(route);
        if (weight == 0 && source.equals("alert") && rollback != null) {
            rollback.increment();
        }
        return persist(route, next, previous.weight());
    }

    /** Forgets the runtime weight: back to the configured one, here and for every replica. */
    public synchronized State reset(String route, String source) {
        State previous = require(route);
        State next = apply(route, previous.with(previous.configuredWeight(), "config", "configured weight", false));
        log.warn("Canary weight of route '{}' reset to the configured {} by {}", route, next.weight(), source);
        try {
            store.delete(route, next.canary(), next.weight(), previous.weight(), source);
            return apply(route, next.with(next.weight(), next.source(), next.reason(), true));
        } catch (DataAccessException e) {
            log.error("Canary weight reset of route '{}' could not be stored: {}", route, e.toString());
            return next;
        }
    }

    /** Applies the weights other replicas stored; stores again what this replica could not store before. */
    synchronized void sync() {
        states.forEach((route, state) -> {
            if (!state.stored()) {
                persist(route, state, state.weight());
            }
        });
        Map<String, CanaryWeightStore.Override> overrides = new LinkedHashMap<>();
        for (CanaryWeightStore.Override o : store.overrides()) {
            overrides.put(o.route(), o);
        }
        states.forEach((route, state) -> {
            if (!state.stored()) {
                return; // this replica's own change wins until it is stored
            }
            CanaryWeightStore.Override o = overrides.get(route);
            State next = o != null && o.canaryUri().equals(state.canary())
                    ? new State(
                            state.stable(),
                            state.canary(),
                            state.configuredWeight(),
                            o.weight(),
                            o.source(),
                            o.reason(),
                            o.changedAt(),
                            true)
                    : state.with(state.configuredWeight(), "config", "configured weight", true);
            if (next.weight() != state.weight()) {
                log.info(
                        "Canary weight of route '{}' now {} (was {}), as stored", route, next.weight(), state.weight());
                apply(route, next);
            }
        });
    }

    private State persist(String route, State state, int previousWeight) {
        try {
            store.save(route, state.canary(), state.weight(), previousWeight, state.source(), state.reason());
            return apply(route, state.with(state.weight(), state.source(), state.reason(), true));
        } catch (DataAccessException e) {
            log.error(
                    "Canary weight {} of route '{}' is applied on this replica only, the database is unavailable "
                            + "(stored again at the next sync): {}",
                    state.weight(),
                    route,
                    e.toString());
            return state;
        }
    }

    private State apply(String route, State state) {
        states.put(route, state);
        // WeightConfig's constructor takes (routeId, group, weight); the weight group is named after the route
        events.publishEvent(new DefaultArgumentSuppliedEvent<>(
                this, WeightConfig.class, new WeightConfig(route, route, 100 - state.weight())));
        events.publishEvent(new DefaultArgumentSuppliedEvent<>(
                this, WeightConfig.class, new WeightConfig(canaryRouteId(route), route, state.weight())));
        return state;
    }

    @Override
    public void start() {
        if (states.isEmpty()) {
            return;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("canary-weights").daemon().factory());
        syncQuietly(); // the stored weights apply before the first request
        long interval = properties.syncInterval().toMillis();
        executor.scheduleWithFixedDelay(this::syncQuietly, interval, interval, TimeUnit.MILLISECONDS);
        sync = executor;
    }

    private void syncQuietly() {
        try {
            sync();
        } catch (RuntimeException e) {
            log.warn("Canary weights could not be read from the database (kept as they are): {}", e.toString());
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService executor = sync;
        if (executor != null) {
            executor.shutdownNow();
            sync = null;
        }
    }

    @Override
    public boolean isRunning() {
        return sync != null;
    }

    /** Before the web server starts (its phase is just below {@code DEFAULT_PHASE}). */
    @Override
    public int getPhase() {
        return 0;
    }
}
