package ai.agency.memory.memory;

import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * {@code GET /actuator/embeddings} (the service's own port, which only the cluster reaches; never routed by the
 * gateway), for an admin's token: the embedding model in use and the progress of re-embedding after a model change
 * ({@link Reembedding}) — {@code model}, {@code dimensions}, {@code remaining} (memories of another model, all
 * users), {@code reembedded} (by this replica since it started), {@code running}, {@code lastRun},
 * {@code lastError}. Read only: the job runs by itself every {@code agency.memory.reembedding-interval}; the gauge
 * {@code agency_memory_reembedding_remaining} tells the same without a token.
 */
@Component
@Endpoint(id = "embeddings")
class EmbeddingsEndpoint {

    private final Reembedding reembedding;

    EmbeddingsEndpoint(Reembedding reembedding) {
        this.reembedding = reembedding;
    }

    @ReadOperation
    WebEndpointResponse<Object> status(SecurityContext security) {
        if (!security.isUserInRole("admin")) {
            ProblemDetail problem = Problems.of(
                    HttpStatus.FORBIDDEN,
                    ErrorType.AUTHORIZATION,
                    "The re-embedding status is for admins",
                    "/actuator/embeddings",
                    java.util.List.of());
            return new WebEndpointResponse<>(Problems.toMap(problem), 403);
        }
        return new WebEndpointResponse<>(reembedding.status());
    }
}
