package ai.agency.common.client;

import ai.agency.common.error.AgencyException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.Callable;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Runs each call through retry (idempotent methods only), the downstream's circuit breaker and its bulkhead. An open
 * circuit or a full bulkhead fails fast with a {@code service_unavailable}/{@code resource_exhausted} problem.
 */
class ResilienceInterceptor implements ClientHttpRequestInterceptor {

    private static final Set<HttpMethod> IDEMPOTENT =
            Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT, HttpMethod.DELETE);

    private final String name;
    private final CircuitBreaker circuitBreaker;
    private final Bulkhead bulkhead;
    private final Retry retry;

    ResilienceInterceptor(String name, CircuitBreaker circuitBreaker, Bulkhead bulkhead, Retry retry) {
        this.name = name;
        this.circuitBreaker = circuitBreaker;
        this.bulkhead = bulkhead;
        this.retry = retry;
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        Callable<ClientHttpResponse> call = () -> execution.execute(request, body);
        Callable<ClientHttpResponse> guarded =
                CircuitBreaker.decorateCallable(circuitBreaker, Bulkhead.decorateCallable(bulkhead, call));
        if (IDEMPOTENT.contains(request.getMethod())) {
            guarded = Retry.decorateCallable(retry, guarded);
        }
        try {
            return guarded.call();
        } catch (CallNotPermittedException e) {
            throw AgencyException.unavailable("Service '" + name + "' is unavailable (circuit open)", e);
        } catch (BulkheadFullException e) {
            throw new AgencyException(
                    ai.agency.common.error.ErrorType.RESOURCE_EXHAUSTED,
                    ai.agency.common.error.ErrorType.RESOURCE_EXHAUSTED.status(),
                    "Too many concurrent calls to service '" + name + "'",
                    java.util.List.of(),
                    e);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
