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
import org.springframework.beans.factory.annotation.Autowired;
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
    static final Replica stopping = new Replica("stopping");
    static final Replica serving = new Replica("serving");
    static final Cutter cutter = new Cutter();
    static final Replica afterCut = new Replica("after-cut");

    @Autowired
    InstanceReadiness readiness;

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
        registry.add("agency.gateway.routes.orchestration.instances", () -> stopping.uri() + "," + serving.uri());
        registry.add("agency.gateway.routes.multimodal.instances", () -> cutter.uri() + "," + afterCut.uri());
        registry.add("agency.gateway.instance-probe.interval", () -> "1h"); // the tests probe when they want
    }

    @AfterAll
    static void stop() {
        a.server.stop(0);
        b.server.stop(0);
        live.server.stop(0);
        stopping.server.stop(0);
        serving.server.stop(0);
        afterCut.server.stop(0);
        cutter.close();
    }

    /**
     * A replica that is shutting down reports readiness down and keeps serving for its grace, then stops accepting.
     * Requests sent to it in that window were answered but a POST caught by the close was lost: the gateway must stop
     * sending it requests as soon as its readiness is down, before any request fails.
     */
    @Test
    void anInstanceWhoseReadinessIsDownGetsNoRequestAndOneThatIsReadyAgainDoes() throws Exception {
        stopping.ready = false;
        readiness.probeAll();
        int before = stopping.requests.get();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> get = send("GET", "/api/v1/agents", null);
            assertThat(get.headers().firstValue("X-Replica")).hasValue("serving");
            HttpResponse<String> post = send("POST", "/api/v1/agents", "{\"n\":" + i + "}");
            assertThat(post.headers().firstValue("X-Replica")).hasValue("serving");
        }
        assertThat(stopping.requests.get() - before).isZero();

        stopping.ready = true; // restarted and warmed up
        readiness.probeAll();
        for (int i = 0; i < 10; i++) {
            send("GET", "/api/v1/agents", null);
        }
        assertThat(stopping.requests.get() - before).isEqualTo(5);
    }

    /**
     * A request whose connection was made and then closed before any answer may have reached the service: an
     * idempotent one is sent to the other instance, a POST never (it could be done twice); its client gets the failure.
     */
    @Test
    void aConnectionClosedBeforeAnyAnswerIsRetriedForAGetButNeverForAPost() throws Exception {
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> get = send("GET", "/api/v1/analyze/x", null);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("X-Replica")).hasValue("after-cut");
        }
        int cutBefore = cutter.requests.get();
        int afterBefore = afterCut.requests.get();
        int failed = 0;
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> post = send("POST", "/api/v1/analyze/x", "{\"n\":" + i + "}");
            if (post.statusCode() >= 500) {
                failed++;
            } else {
                assertThat(post.headers().firstValue("X-Replica")).hasValue("after-cut");
            }
        }
        int cut = cutter.requests.get() - cutBefore;
        assertThat(cut).as("POSTs the cutting instance received").isPositive();
        assertThat(failed).as("each cut POST fails, none is sent again").isEqualTo(cut);
        assertThat(afterCut.requests.get() - afterBefore).isEqualTo(4 - cut);
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

    /** An instance that reads each request and closes the connection without a byte of answer (a replica killed). */
    static final class Cutter {
        final AtomicInteger requests = new AtomicInteger();
        final ServerSocket socket;

        Cutter() {
            try {
                socket = new ServerSocket(0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (java.net.Socket s = socket.accept()) {
                        var in = new java.io.BufferedReader(
                                new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                        String line = in.readLine();
                        if (line != null && !line.contains("/actuator/")) {
                            requests.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
        }

        String uri() {
            return "http://localhost:" + socket.getLocalPort();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closed
            }
        }
    }

    /** A replica: echoes the request body, names itself in {@code X-Replica}, counts requests. */
    static final class Replica {
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger probes = new AtomicInteger();
        /** What its readiness probe answers: 503 while it shuts down (it still serves everything else). */
        volatile boolean ready = true;

        final HttpServer server;
        static final Map<String, Replica> BY_NAME = new ConcurrentHashMap<>();

        Replica(String name) {
            try {
                server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                if (exchange.getRequestURI().getPath().equals("/actuator/health/readiness")) {
                    probes.incrementAndGet();
                    exchange.sendResponseHeaders(ready ? 200 : 503, -1);
                    exchange.close();
                    return;
                }
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
