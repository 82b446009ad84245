package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Fuzzing through the gateway, short run: about a thousand hostile requests generated from the services' own OpenAPI documents
 * (as the gateway aggregates them), sent through the gateway with a valid user token, no token and a garbage token.
 * Nothing may answer 5xx or hang, every 4xx is a problem, and every service is still ready afterwards. Requests are
 * written on a raw socket: {@link java.net.http.HttpClient} refuses to send most of them (invalid percent-escapes,
 * NUL bytes, bogus content types). The seed is fixed (override with {@code -Dagency.fuzz.seed}, size with
 * {@code -Dagency.fuzz.requests}) and printed, with the counts by status.
 */
class FuzzIT {

    private static final long SEED = Long.getLong("agency.fuzz.seed", 18_006L);
    private static final int REQUESTS = Integer.getInteger("agency.fuzz.requests", 1000);
    private static final int TIMEOUT_MILLIS = 10_000;
    private static final List<String> ROUTES = List.of("auth", "memory", "tool", "orchestration", "multimodal");
    /** Would revoke the valid token in the middle of the run: every later request would only test 401. */
    private static final List<String> SKIPPED = List.of("/api/v1/auth/logout-all");

    private static RunningPlatform platform;
    private static String token;

    /** The fuzzer's client address (loopback; any 127.x address reaches the services on Linux). */
    private static final java.net.InetAddress FUZZER_ADDRESS = loopback("127.0.0.66");

    private static java.net.InetAddress loopback(String address) {
        try {
            return java.net.InetAddress.getByName(address);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One operation of an OpenAPI document: a method, a path template, its query parameters and body type. */
    record Operation(String method, String path, List<String> query, String bodyType) {}

    /** What came back: status (-1: no answer in time, -2: connection closed without an answer) and content type. */
    record Outcome(String request, int status, String contentType, int bodyLength) {}

    @BeforeAll
    static void startPlatform() {
        platform = RunningPlatform.get();
        token = Api.newUserToken(platform.gateway());
    }

    @Test
    void hostileRequestsThroughTheGatewayNeverGetA5xxAndEvery4xxIsAProblem() throws Exception {
        List<Operation> operations = operations();
        assertThat(operations).as("operations in the OpenAPI documents").hasSizeGreaterThan(50);
        Random random = new Random(SEED);
        List<byte[]> requests = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Operation operation = operations.get(random.nextInt(operations.size()));
            Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
            String auth = switch (random.nextInt(4)) {
                case 0 -> null;
                case 1 -> "Bearer not.a.token";
                default -> "Bearer " + token;
            };
            requests.add(mutation.build(operation, auth, new Random(random.nextLong()), host()));
            names.add(mutation + " " + operation.method() + " " + operation.path()
                    + (auth == null ? " (no token)" : auth.contains(token) ? "" : " (bad token)"));
        }
        // the classes seen in the issue, always: the WebSocket handshake without a token, a 64 KB header
        requests.add(raw("GET /ws HTTP/1.1\r\nHost: " + host()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n"));
        names.add("handshake without token GET /ws");
        requests.add(raw("GET /api/v1/memories HTTP/1.1\r\nHost: " + host() + "\r\nX-Big: " + "a".repeat(65_536)
                + "\r\nConnection: close\r\n\r\n"));
        names.add("64 KB header GET /api/v1/memories");

        long started = System.nanoTime();
        List<Outcome> outcomes = send(requests, names, platform.gateway());
        long millis = (System.nanoTime() - started) / 1_000_000;

        Map<Integer, Integer> byStatus = new TreeMap<>();
        outcomes.forEach(o -> byStatus.merge(o.status(), 1, Integer::sum));
        System.out.printf(
                "FuzzIT seed=%d requests=%d operations=%d in %d ms; by status: %s%n",
                SEED, outcomes.size(), operations.size(), millis, byStatus);
        List<Outcome> failures = outcomes.stream()
                .filter(o -> o.status() >= 500 || o.status() < 0 || (o.status() >= 400 && !isProblem(o)))
                .toList();
        failures.stream().limit(40).forEach(f -> System.out.println("FuzzIT failure: " + f));
        assertThat(failures).as("5xx, hangs and 4xx without a problem body").isEmpty();
        assertAllReady();
    }

    /**
     * The attacks of the issue, sent straight to every service (the gateway passes the query on, but a service must
     * not rely on it): an invalid percent-escape in the query, a JSON endpoint sent other media types.
     */
    @Test
    void everyServiceAnswersHostileQueriesAndContentTypesWithA4xxProblem() throws Exception {
        List<byte[]> requests = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, String> post = Map.of(
                "auth-service", "/api/v1/auth/login",
                "memory-service", "/api/v1/memories/search",
                "tool-service", "/api/v1/tools/calculator/execute",
                "orchestration-service", "/api/v1/workflows/" + UUID.randomUUID() + "/runs",
                "multimodal-service", "/api/v1/analyze/text",
                "realtime-gateway", "/api/v1/sessions");
        // an endpoint of each service that reads its query parameters
        Map<String, String> get = Map.of(
                "auth-service", "/api/v1/auth/oidc/none/authorize",
                "memory-service", "/api/v1/memories",
                "tool-service", "/api/v1/tools/executions",
                "orchestration-service", "/api/v1/channels/" + UUID.randomUUID() + "/messages",
                "multimodal-service", "/api/v1/analyze/text", // no GET endpoint reads a query: a 405
                "realtime-gateway", "/api/v1/sessions");
        for (String service : RunningPlatform.SERVICES) {
            String host = "localhost:" + platform.ports.get(service);
            for (String query : List.of("limit=%'%20OR", "limit=%", "limit=%zz", "%%=1", "limit=%c3%28")) {
                requests.add(raw("GET " + get.get(service) + "?" + query + " HTTP/1.1\r\nHost: " + host
                        + "\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n"));
                names.add(service + " GET ?" + query);
            }
            for (String type : CONTENT_TYPES) {
                requests.add(request("POST", post.get(service), host, "Bearer " + token, type, "{\"a\":1}"));
                names.add(service + " POST " + post.get(service) + " as " + type);
            }
            List<Outcome> outcomes = send(requests, names, URI.create("http://" + host));
            outcomes.stream()
                    .filter(o -> o.status() >= 500 || o.status() < 0 || !isProblem(o))
                    .forEach(o -> System.out.println("FuzzIT direct failure: " + o));
            assertThat(outcomes).as(service).allSatisfy(o -> {
                assertThat(o.status()).as(o.request()).isBetween(400, 499);
                assertThat(isProblem(o)).as(o.request()).isTrue();
            });
            requests.clear();
            names.clear();
        }
    }

    static final List<String> CONTENT_TYPES = List.of(
            "text/plain",
            "application/xml",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "application/json; charset=bogus",
            "application/x-www-form-urlencoded",
            "garbage",
            "");

    /** The ways a request is spoiled. */
    enum Mutation {
        VALID_SHAPE,
        WRONG_TYPES,
        EXTRA_AND_MISSING,
        HOSTILE_STRINGS,
        HUGE_STRING,
        BROKEN_JSON,
        WRONG_CONTENT_TYPE,
        PATH_INJECTION,
        QUERY_INJECTION,
        OVERSIZED_BODY,
        MULTIPART_GARBAGE;

        private static final String[] HOSTILE = {
            "\\u0000",
            "\\ud800",
            "\\udfff",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "${jndi:x}",
            "%00",
            "\\u202e",
            "😀",
            "-1",
            "1e309",
            "null"
        };
        private static final String[] PATH_SEGMENTS = {
            "%00",
            "%2e%2e",
            "..%2f..%2f",
            "%'%20OR",
            "%zz",
            "%",
            "'%20OR%201=1",
            "%c0%ae",
            "a%2fb",
            "%5c",
            "x".repeat(3000),
            "-1",
            "0",
            "null",
            "00000000-0000-0000-0000-000000000000"
        };
        private static final String[] QUERIES = {
            "limit=%'%20OR",
            "limit=%",
            "limit=%zz",
            "limit=-1",
            "limit=99999999999999999999",
            "limit=abc",
            "agentId=%00",
            "from=2020-13-45",
            "tool=%2e%2e",
            "%%=%%",
            "a=" + "b".repeat(5000),
            "limit=%c3%28",
            "limit=1&limit=2",
            "q=%ud800"
        };
        /** Hostile values for the query parameters an operation declares. */
        private static final String[] VALUES = {
            "%'%20OR",
            "%",
            "%zz",
            "-1",
            "99999999999999999999",
            "abc",
            "%00",
            "2020-13-45",
            "%2e%2e",
            "%ud800",
            "%c3%28"
        };

        byte[] build(Operation op, String auth, Random random, String host) {
            String path = fillPath(op.path(), random, this == PATH_INJECTION);
            String query = "";
            if (this == QUERY_INJECTION && !op.query().isEmpty()) {
                query = "?" + op.query().get(random.nextInt(op.query().size())) + "="
                        + VALUES[random.nextInt(VALUES.length)];
            } else if (this == QUERY_INJECTION || random.nextInt(8) == 0) {
                query = "?" + QUERIES[random.nextInt(QUERIES.length)];
            }
            String type = op.bodyType() == null ? "application/json" : op.bodyType();
            String body = switch (this) {
                case VALID_SHAPE, PATH_INJECTION, QUERY_INJECTION -> "{\"name\":\"fuzz\",\"content\":\"x\"}";
                case WRONG_TYPES ->
                    "{\"name\":42,\"content\":[1],\"limit\":\"10\",\"roles\":\"admin\",\"input\":true,"
                            + "\"steps\":{},\"parameters\":[]}";
                case EXTRA_AND_MISSING -> "{\"unexpected\":{\"deep\":[null,{}]},\"__proto__\":1}";
                case HOSTILE_STRINGS -> {
                    String s = HOSTILE[random.nextInt(HOSTILE.length)];
                    yield "{\"name\":\"" + s + "\",\"content\":\"" + s + "\",\"query\":\"" + s
                            + "\",\"username\":\"" + s + "\",\"password\":\"" + s + "\",\"roles\":[\"" + s
                            + "\"],\"text\":\"" + s + "\"}";
                }
                case HUGE_STRING -> {
                    String s = "x".repeat(100_000);
                    yield "{\"name\":\"" + s + "\",\"content\":\"" + s + "\",\"text\":\"" + s + "\"}";
                }
                case BROKEN_JSON ->
                    new String[] {"{", "{\"a\":", "[1,2", "{\"a\":1}}", "\u0000", "nul", "{'a':1}", "\"\\x\""}
                            [random.nextInt(8)];
                case WRONG_CONTENT_TYPE -> {
                    type = CONTENT_TYPES.get(random.nextInt(CONTENT_TYPES.size()));
                    yield "{\"name\":\"fuzz\"}";
                }
                case OVERSIZED_BODY -> "[" + "1,".repeat(1_500_000) + "1]";
                case MULTIPART_GARBAGE -> {
                    String[][] cases = {
                        {"multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"},
                        {"multipart/form-data; boundary=abc", "--abc\r\nContent-Disposition: form-data; name=\"f"},
                        {
                            "multipart/form-data; boundary=abc",
                            "--abc\r\nContent-Type: image/png\r\n\r\nxx\r\n--abc--\r\n"
                        },
                        {
                            "multipart/form-data; boundary=abc",
                            "--zzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nxx\r\n--zzz--\r\n"
                        },
                        {
                            "multipart/form-data; boundary=abc",
                            "--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nX-H: "
                                    + "h".repeat(20_000) + "\r\n\r\nxx\r\n--abc--\r\n"
                        },
                        {
                            "multipart/form-data; boundary=abc",
                            "--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n\u0089PNG garbage\r\n--abc--\r\n"
                        },
                    };
                    String[] chosen = cases[random.nextInt(cases.length)];
                    type = chosen[0];
                    yield chosen[1];
                }
            };
            String method = op.method();
            boolean hasBody = !method.equals("GET") && !method.equals("DELETE") || this == WRONG_CONTENT_TYPE;
            return request(method, path + query, host, auth, hasBody ? type : null, hasBody ? body : null);
        }

        private static String fillPath(String template, Random random, boolean hostile) {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < template.length()) {
                int open = template.indexOf('{', i);
                if (open < 0) {
                    out.append(template, i, template.length());
                    break;
                }
                out.append(template, i, open);
                i = template.indexOf('}', open) + 1;
                out.append(
                        hostile
                                ? PATH_SEGMENTS[random.nextInt(PATH_SEGMENTS.length)]
                                : new UUID(random.nextLong(), random.nextLong()).toString());
            }
            return out.toString();
        }
    }

    private static byte[] request(String method, String target, String host, String auth, String type, String body) {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
        if (auth != null) {
            head.append("Authorization: ").append(auth).append("\r\n");
        }
        if (type != null) {
            if (!type.isEmpty()) {
                head.append("Content-Type: ").append(type).append("\r\n");
            }
            head.append("Content-Length: ").append(payload.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] raw(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String host() {
        return "localhost:" + platform.gateway().getPort();
    }

    private static List<Outcome> send(List<byte[]> requests, List<String> names, URI target) throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                byte[] bytes = requests.get(i);
                String name = names.get(i);
                futures.add(pool.submit(() -> exchange(bytes, name, target)));
            }
            for (Future<Outcome> future : futures) {
                outcomes.add(future.get());
            }
        }
        return outcomes;
    }

    /** Sends one request on a fresh connection and reads the status, the headers and (for errors) the body. */
    private static Outcome exchange(byte[] request, String name, URI target) {
        try (Socket socket = new Socket()) {
            // from an address of its own: the gateway's anonymous rate limits key on the client address, and the
            // fuzzer must not spend the budget of the other end-to-end tests (which come from 127.0.0.1)
            socket.bind(new InetSocketAddress(FUZZER_ADDRESS, 0));
            socket.connect(new InetSocketAddress(loopback("127.0.0.1"), target.getPort()), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // the server may answer and close before it has read an oversized request: read what it said
            }
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (head.isEmpty()) {
                return new Outcome(name, -2, "", 0);
            }
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            String contentType = "";
            int length = -1;
            boolean chunked = false;
            for (String line : lines) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    contentType = line.substring(13).trim();
                } else if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            int body = 0;
            if (status >= 400) {
                body = length >= 0 ? in.readNBytes(length).length : chunked ? firstChunk(in) : in.readAllBytes().length;
            }
            return new Outcome(name, status, contentType, body);
        } catch (SocketTimeoutException e) {
            return new Outcome(name, -1, "", 0);
        } catch (IOException e) {
            return new Outcome(name, -2, e.toString(), 0);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        int b;
        while (last4 != 0x0d0a0d0a && (b = in.read()) >= 0) {
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int firstChunk(InputStream in) throws IOException {
        StringBuilder size = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                size.append((char) b);
            }
        }
        return size.isEmpty()
                ? 0
                : Integer.parseInt(size.toString().split(";")[0].trim(), 16);
    }

    private static boolean isProblem(Outcome outcome) {
        return outcome.contentType().startsWith("application/problem+json") && outcome.bodyLength() > 0;
    }

    /** The operations of every route's OpenAPI document and of the gateway's own. */
    private static List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        List<String> documents =
                new ArrayList<>(ROUTES.stream().map(r -> "/api-docs/" + r).toList());
        documents.add("/v3/api-docs");
        for (String document : documents) {
            Api.Reply reply = Api.send(platform.gateway(), "GET", document, token, null, null);
            for (int attempt = 1; reply.status() == 503 && attempt < 4; attempt++) {
                // a service builds its document on the first request: on a busy machine that can outlast the gateway
                reply = Api.send(platform.gateway(), "GET", document, token, null, null);
            }
            assertThat(reply.status()).as(document + ": " + reply.body()).isEqualTo(200);
            JsonNode paths = reply.json().path("paths");
            for (String path : paths.propertyNames()) {
                if (SKIPPED.contains(path)) {
                    continue;
                }
                JsonNode item = paths.get(path);
                for (String method : item.propertyNames()) {
                    JsonNode op = item.get(method);
                    List<String> query = new ArrayList<>();
                    op.path("parameters").forEach(p -> {
                        if ("query".equals(p.path("in").asString())) {
                            query.add(p.path("name").asString());
                        }
                    });
                    String bodyType = op.path("requestBody").path("content").propertyNames().stream()
                            .findFirst()
                            .orElse(null);
                    operations.add(new Operation(method.toUpperCase(Locale.ROOT), path, query, bodyType));
                }
            }
        }
        return operations;
    }

    private static void assertAllReady() {
        Map<String, Integer> notReady = new TreeMap<>();
        for (String service : RunningPlatform.SERVICES) {
            Api.Reply reply =
                    Api.send(platform.management(service), "GET", "/actuator/health/readiness", null, null, null);
            if (reply.status() != 200 || !reply.body().contains("\"UP\"")) {
                notReady.put(service, reply.status());
            }
        }
        assertThat(notReady).as("services not ready after the fuzzing").isEmpty();
    }
}
