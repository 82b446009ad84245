package ai.agency.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.client.ServiceClients;
import com.sun.net.httpserver.HttpServer;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.web.client.RestClient;

/** The HTTP feed (services without a database) against a stub of auth-service's {@code /internal/revocations}. */
class RevocationFeedHttpTest {

    static final UUID USER = UUID.randomUUID();

    private final List<String> queries = new CopyOnWriteArrayList<>();
    private HttpServer auth;
    private RevocationFeed feed;

    @BeforeEach
    void startAuth() throws IOException {
        auth = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        auth.createContext("/internal/revocations", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            queries.add(query);
            String body = "after=0".equals(query)
                    ? "{\"items\":[{\"id\":1,\"userId\":\"" + USER + "\",\"minVersion\":4,\"reason\":\"logout\"}]}"
                    : "{\"items\":[]}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        auth.start();
    }

    @AfterEach
    void stop() {
        if (feed != null) {
            feed.stop();
        }
        auth.stop(0);
    }

    @Test
    void theFeedIsReadThroughAuthServicesClientFromServiceClients() {
        String baseUrl = "http://127.0.0.1:" + auth.getAddress().getPort();
        ServiceClients clients = new ServiceClients(
                RestClient.builder(),
                new MockEnvironment().withProperty("agency.clients.auth.base-url", baseUrl),
                CircuitBreakerRegistry.ofDefaults(),
                BulkheadRegistry.ofDefaults(),
                RetryRegistry.ofDefaults());
        Revocations revocations = new Revocations();

        feed = RevocationFeed.http(
                revocations,
                URI.create(baseUrl + "/internal/revocations"),
                Duration.ofMinutes(1),
                clients.httpClient("auth"));
        feed.start();

        assertThat(revocations.isRevoked(USER, 3, null)).isTrue();
        assertThat(revocations.isRevoked(USER, 4, null)).isFalse();
        assertThat(revocations.isRevoked(UUID.randomUUID(), 0, null)).isFalse();
        assertThat(queries).startsWith("after=0");
    }
}
