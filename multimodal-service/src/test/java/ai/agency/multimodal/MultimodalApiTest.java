package ai.agency.multimodal;

import ai.agency.common.testsupport.TestJwts;
import ai.agency.common.testsupport.UsageOwnerStub;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one Spring context of multimodal-service's HTTP tests: the real application on a random port, trusting tokens
 * of {@link TestJwts}. Every HTTP test class extends this, so the context is shared.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "agency.usage.ingest-secret=" + UsageOwnerStub.SECRET,
        classes = {MultimodalServiceApplication.class, MultimodalApiTest.TestTokens.class})
public abstract class MultimodalApiTest {

    protected static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestConfiguration(proxyBeanMethods = false)
    public static class TestTokens {

        @Bean
        TestJwts testJwts() {
            return TestJwts.create();
        }

        @Bean
        JwtDecoder testJwtDecoder(TestJwts jwts) {
            return jwts.decoder();
        }
    }

    /**
     * auth-service's revocation feed as multimodal-service reads it (over HTTP: it has no database): a JDK HTTP
     * server whose entries a test may add to.
     */
    protected static final java.util.List<String> FEED = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static final com.sun.net.httpserver.HttpServer FEED_SERVER = feedServer();

    private static com.sun.net.httpserver.HttpServer feedServer() {
        try {
            var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/internal/revocations", exchange -> {
                long after = Long.parseLong(exchange.getRequestURI().getQuery().replaceAll(".*after=(\\d+).*", "$1"));
                String items = FEED.stream()
                        .filter(entry -> JSON.readTree(entry).get("id").asLong() > after)
                        .collect(java.util.stream.Collectors.joining(","));
                byte[] body = ("{\"items\":[" + items + "]}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @org.springframework.test.context.DynamicPropertySource
    static void revocationFeed(org.springframework.test.context.DynamicPropertyRegistry registry) {
        registry.add(
                "agency.security.revocation.url",
                () -> "http://127.0.0.1:" + FEED_SERVER.getAddress().getPort() + "/internal/revocations");
        registry.add("agency.security.revocation.poll-interval", () -> "100ms");
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected TestJwts jwts;

    /** An HTTP answer. */
    protected record Response(int status, String contentType, String body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** A multipart part: a file (with a name and a claimed content type) or, with a null file name, a form field. */
    protected record Part(String fileName, String contentType, byte[] content) {

        public static Part file(String fileName, String contentType, byte[] content) {
            return new Part(fileName, contentType, content);
        }

        public static Part field(String value) {
            return new Part(null, null, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    protected String token() {
        return jwts.user(UUID.randomUUID());
    }

    protected Response postJson(String path, Object body) {
        HttpRequest request = authorized(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        return send(request);
    }

    protected Response upload(String path, String fileName, String contentType, byte[] content) {
        return multipart(path, Map.of("file", Part.file(fileName, contentType, content)));
    }

    protected Response multipart(String path, Map<String, Part> parts) {
        String boundary = "agency-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, Part> entry : new LinkedHashMap<>(parts).entrySet()) {
            Part part = entry.getValue();
            StringBuilder header = new StringBuilder("--" + boundary + "\r\n")
                    .append("Content-Disposition: form-data; name=\"")
                    .append(entry.getKey())
                    .append('"');
            if (part.fileName() != null) {
                header.append("; filename=\"").append(part.fileName()).append("\"\r\n");
                header.append("Content-Type: ").append(part.contentType()).append("\r\n\r\n");
            } else {
                header.append("\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n");
            }
            body.writeBytes(header.toString().getBytes(StandardCharsets.UTF_8));
            body.writeBytes(part.content());
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = authorized(path)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
        return send(request);
    }

    protected Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .GET()
                .build());
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Accept", "application/json, application/problem+json")
                .header("Authorization", "Bearer " + token());
    }

    private static Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
