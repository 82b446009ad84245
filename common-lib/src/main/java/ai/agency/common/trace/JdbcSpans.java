package ai.agency.common.trace;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationPredicate;
import net.ttddyy.observation.tracing.DataSourceBaseContext;

/**
 * Which JDBC statements become spans (datasource-micrometer wraps each service's DataSource; {@code
 * jdbc.includes=query} in the platform defaults: one span per statement, none per connection or result set): only
 * those made on behalf of something already traced — a request, a WebSocket frame, a workflow step. Statements of
 * background jobs (the usage relay every second, purges, schedulers, the flag refresh) would each open a trace of
 * their own: a trace store full of one-span traces nobody asked for.
 */
public final class JdbcSpans {

    private JdbcSpans() {}

    /** True for every observation but a JDBC one with no current parent observation. */
    public static final ObservationPredicate ONLY_WITHIN_A_TRACE = JdbcSpans::test;

    private static boolean test(String name, Observation.Context context) {
        return !(context instanceof DataSourceBaseContext) || context.getParentObservation() != null;
    }
}
