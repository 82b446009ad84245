package ai.agency.gateway.rollout;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.Problems;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/canary} on the management port (never published; like the rest of the actuator, reachable only
 * from the cluster's operators and Prometheus): every route's canary weight, and the operator's way to change it.
 * <ul>
 *   <li>{@code GET /actuator/canary}: every route with a canary, its targets and weight
 *   <li>{@code GET /actuator/canary/{route}}: one route, with its last 20 weight changes
 *   <li>{@code POST /actuator/canary/{route}} {@code {"weight": 20, "reason": "..."}}: sets the weight on every replica
 *   <li>{@code DELETE /actuator/canary/{route}}: back to the configured weight
 * </ul>
 */
@Component
@Endpoint(id = "canary")
class CanaryEndpoint {

    private final CanaryWeights weights;

    CanaryEndpoint(CanaryWeights weights) {
        this.weights = weights;
    }

    @ReadOperation
    Map<String, CanaryWeights.State> routes() {
        return weights.all();
    }

    @ReadOperation
    WebEndpointResponse<Object> route(@Selector String route) {
        return answer(route, () -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("route", route);
            body.put("state", weights.require(route));
            body.put("changes", weights.changes(route, 20));
            return body;
        });
    }

    @WriteOperation
    WebEndpointResponse<Object> setWeight(@Selector String route, int weight, @Nullable String reason) {
        String why = reason == null || reason.isBlank() ? "set by an operator" : reason;
        return answer(route, () -> weights.set(route, weight, "operator", why));
    }

    @DeleteOperation
    WebEndpointResponse<Object> reset(@Selector String route) {
        return answer(route, () -> weights.reset(route, "operator"));
    }

    /** The operation's result, or the problem of an unknown route or a bad weight with its status (404, 400). */
    private static WebEndpointResponse<Object> answer(String route, Supplier<Object> operation) {
        try {
            return new WebEndpointResponse<>(operation.get());
        } catch (AgencyException e) {
            ProblemDetail problem = Problems.of(
                    e.status(), e.errorType(), e.getMessage(), "/actuator/canary/" + route, e.fieldErrors());
            return new WebEndpointResponse<>(Problems.toMap(problem), e.status().value());
        }
    }
}
