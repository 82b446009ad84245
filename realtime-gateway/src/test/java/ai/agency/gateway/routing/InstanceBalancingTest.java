package ai.agency.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.DatabaseTest;
import ai.agency.common.testsupport.TestJwts;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A route with two instances (two real HTTP servers standing in for two replicas of memory-service), and a route
 * whose first instance is a port where nothing listens (a replica that is restarting): requests are spread round
 * robin, and a request the dead instance refused is answered by the live one — a POST with its body too.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"agency.gateway.rate-limit.enabled=false", "agency.gateway.instance-down-time=1h"})
@DatabaseTest
class InstanceBalancingTest {

    static final TestJwts JWTS = TestJwts.create();
    static final HttpClient http = HttpClient.newHttpClient();
    static final Replica a = new Replica("a");
    static final Replica b = new Replica("b");
    static final Replica live = new Replica("live");
    static final int deadPort = freePort();

    @LocalServerPort
    int port;

    @TestConfiguration
    static class Tokens {
        @Bean
        JwtDecoder jwtDecoder() {
            return JWTS.decoder();
        }
    }

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        registry.add("agency.gateway.routes.memory.instances", () -> a.uri() + "," + b.uri());
        registry.add("agency.gateway.routes.tool.instances", () -> "http://localhost:" + deadPort + "," + live.uri());
    }

    @AfterAll
    static void stop() {
        a.server.stop(0);
        b.server.stop(0);
        live.server.stop(0);
    }

    @Test
    void requestsAreSpreadOverTheInstancesInTurn() throws Exception {
        int beforeA = a.requests.get();
        int beforeB = b.requests.get();
        for (int i = 0; i < 100; i++) {
            assertThat(send("GET", "/api/v1/memories", null).statusCode()).isEqualTo(200);
        }
        assertThat(a.requests.get() - beforeA).isEqualTo(50);
        assertThat(b.requests.get() - beforeB).isEqualTo(50);
    }

    @Test
    void aRequestTheDeadInstanceRefusedIsAnsweredByTheLiveOneBodyAndAll() throws Exception {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> get = send("GET", "/api/v1/tools", null);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("X-Replica")).hasValue("live");

            String body = "{\"n\":" + i + "}";
            HttpResponse<String> post = send("POST", "/api/v1/tools", body);
            assertThat(post.statusCode()).isEqualTo(200);
            assertThat(post.body()).isEqualTo(body);
        }
    }

    @Test
    void theBalancerSkipsAnInstanceThatIsDownAndTakesTurnsOtherwise() {
        URI one = URI.create("http://one");
        URI two = URI.create("http://two");
        InstanceBalancer balancer =
                new InstanceBalancer("memory", java.util.List.of(one, two), java.time.Duration.ofHours(1));
        assertThat(balancer.pick(null)).isEqualTo(one);
        assertThat(balancer.pick(null)).isEqualTo(two);
        assertThat(balancer.pick(two)).isEqualTo(one);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("Authorization", "Bearer " + JWTS.user(UUID.randomUUID()))
                        .header("Content-Type", "application/json")
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A replica: echoes the request body, names itself in {@code X-Replica}, counts requests. */
    static final class Replica {
        final AtomicInteger requests = new AtomicInteger();
        final HttpServer server;
        static final Map<String, Replica> BY_NAME = new ConcurrentHashMap<>();

        Replica(String name) {
            try {
                server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                requests.incrementAndGet();
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (body.length == 0) {
                    body = "{}".getBytes(StandardCharsets.UTF_8);
                }
                exchange.getResponseHeaders().add("X-Replica", name);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            BY_NAME.put(name, this);
        }

        String uri() {
            return "http://localhost:" + server.getAddress().getPort();
        }
    }
}
