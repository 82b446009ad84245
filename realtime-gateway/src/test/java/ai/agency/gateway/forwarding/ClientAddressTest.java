package ai.agency.gateway.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.DatabaseTest;
import ai.agency.common.testsupport.HttpFrom;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The client's address as the gateway sees it and forwards it, with an Ingress at {@code 127.0.0.1} as the one
 * trusted proxy: clients behind it are told apart by its {@code X-Forwarded-For}; anyone else (here at
 * {@code 127.0.0.5}, {@code 127.0.0.6}) is the TCP peer, whatever headers it sends. A stub auth-service records the
 * forwarding headers it receives; the anonymous login route is a class of 2 requests per hour.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "agency.gateway.trusted-proxies=127.0.0.1/32",
            "agency.gateway.rate-limit.mode=local",
            "agency.gateway.rate-limit.classes.auth.capacity=2",
            "agency.gateway.rate-limit.classes.auth.period=1h"
        })
@DatabaseTest
class ClientAddressTest {

    static final String LOGIN = "/api/v1/auth/login";
    /** Forwarding headers the stub received, by the request's {@code X-Test-Request} header. */
    static final Map<String, Map<String, List<String>>> received = new ConcurrentHashMap<>();

    static final HttpServer auth = startAuthStub();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        registry.add(
                "agency.gateway.routes.auth.uri",
                () -> "http://localhost:" + auth.getAddress().getPort());
    }

    @AfterAll
    static void stopStub() {
        auth.stop(0);
    }

    @Test
    void aClientThatIsNotATrustedProxyCannotSpoofItsAddressWithForwardingHeaders() {
        String id = send(
                "127.0.0.5",
                Map.of(
                        "X-Forwarded-For", "203.0.113.9",
                        "Forwarded", "for=203.0.113.9;proto=https",
                        "X-Forwarded-Host", "evil.example",
                        "X-Forwarded-Proto", "https",
                        "X-Forwarded-Port", "443"));

        Map<String, List<String>> headers = received.get(id);
        assertThat(headers.get("x-forwarded-for")).containsExactly("127.0.0.5");
        assertThat(headers.get("forwarded")).isNull();
        assertThat(headers.get("x-forwarded-host")).containsExactly("localhost:" + port);
        assertThat(headers.get("x-forwarded-proto")).containsExactly("http");
        assertThat(headers.get("x-forwarded-port")).containsExactly(Integer.toString(port));
    }

    @Test
    void aClientBehindTheTrustedProxyIsForwardedWithItsOwnAddressOnly() {
        // the proxy appends the address it saw to what the client claimed: only the proxy's word counts
        String id = send("127.0.0.1", Map.of("X-Forwarded-For", "203.0.113.9, 198.51.100.20"));

        assertThat(received.get(id).get("x-forwarded-for")).containsExactly("198.51.100.20");
    }

    @Test
    void anonymousRateLimitsGiveEachClientBehindTheProxyItsOwnBudget() {
        String[] first = {"198.51.100.31", "198.51.100.31"};
        for (String client : first) {
            assertThat(status("127.0.0.1", client)).isEqualTo(200);
        }
        assertThat(status("127.0.0.1", "198.51.100.31")).isEqualTo(429);

        // another client behind the same Ingress is not refused for the first one's requests
        assertThat(status("127.0.0.1", "198.51.100.32")).isEqualTo(200);
    }

    @Test
    void aClientCannotEscapeItsRateLimitByChangingXForwardedFor() {
        assertThat(status("127.0.0.6", "198.51.100.41")).isEqualTo(200);
        assertThat(status("127.0.0.6", "198.51.100.42")).isEqualTo(200);
        assertThat(status("127.0.0.6", "198.51.100.43")).isEqualTo(429);
    }

    private int status(String from, String forwardedFor) {
        String id = UUID.randomUUID().toString();
        return HttpFrom.send(
                        from,
                        "POST",
                        URI.create("http://localhost:" + port + LOGIN),
                        Map.of("X-Forwarded-For", forwardedFor, "X-Test-Request", id),
                        "{}")
                .status();
    }

    /** Sends a login from {@code from} with these extra headers; answers the id the stub filed its headers under. */
    private String send(String from, Map<String, String> headers) {
        String id = UUID.randomUUID().toString();
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("X-Test-Request", id);
        HttpFrom.Reply reply = HttpFrom.send(from, "POST", URI.create("http://localhost:" + port + LOGIN), all, "{}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return id;
    }

    private static HttpServer startAuthStub() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            server.createContext("/", exchange -> {
                Map<String, List<String>> forwarding = new ConcurrentHashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> {
                    String lower = name.toLowerCase();
                    if (lower.startsWith("x-forwarded-") || lower.equals("forwarded")) {
                        forwarding.put(lower, List.copyOf(values));
                    }
                });
                String id = exchange.getRequestHeaders().getFirst("X-Test-Request");
                if (id != null) {
                    received.put(id, forwarding);
                }
                exchange.getRequestBody().readAllBytes();
                byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
