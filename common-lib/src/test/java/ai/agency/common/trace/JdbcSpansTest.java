package ai.agency.common.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.ttddyy.observation.tracing.QueryContext;
import org.junit.jupiter.api.Test;

/**
 * A statement of a background job (the usage relay polls every second in every service) must not open a trace of its
 * own; one made while a request is traced is a span of it.
 */
class JdbcSpansTest {

    private final List<String> started = new CopyOnWriteArrayList<>();
    private final ObservationRegistry registry = ObservationRegistry.create();

    JdbcSpansTest() {
        registry.observationConfig().observationPredicate(JdbcSpans.ONLY_WITHIN_A_TRACE);
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(Observation.Context context) {
                started.add(context.getName());
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
    }

    @Test
    void aStatementOutsideAnyTraceIsNoSpan() {
        Observation.createNotStarted("jdbc.query", QueryContext::new, registry).observe(() -> {});
        assertThat(started).as("a background job's statement").isEmpty();
    }

    @Test
    void aStatementOfATracedRequestIsASpanOfIt() {
        Observation request = Observation.start("http.server.requests", registry);
        try (Observation.Scope scope = request.openScope()) {
            Observation.createNotStarted("jdbc.query", QueryContext::new, registry)
                    .observe(() -> {});
        } finally {
            request.stop();
        }
        assertThat(started).containsExactly("http.server.requests", "jdbc.query");
    }

    @Test
    void otherObservationsWithoutAParentAreNotAffected() {
        Observation.createNotStarted("tasks.scheduled.execution", registry).observe(() -> {});
        assertThat(started).containsExactly("tasks.scheduled.execution");
    }
}
