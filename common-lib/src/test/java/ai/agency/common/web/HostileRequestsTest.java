package ai.agency.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzzing through the gateway found requests that every service answered with a 5xx: they are the caller's mistakes and get a
 * 4xx problem. Sent on a raw socket, because {@link java.net.http.HttpClient} refuses to send most of them.
 */
@SpringBootTest(
        classes = ProblemTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.application.name=problem-test")
class HostileRequestsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    private final String token = ProblemTestApplication.JWTS.user(UUID.randomUUID());

    @Test
    void aQueryWithAnInvalidPercentEscapeIsA400NotA502NetworkProblem() throws IOException {
        for (String query : List.of("limit=%'%20OR", "limit=%", "limit=%zz", "%%=1")) {
            Raw reply = send("GET /test/page?" + query + " HTTP/1.1\r\n" + headers() + "\r\n");

            assertProblem(reply, 400, "validation", query);
            assertThat(reply.json().path("detail").asString()).as(query).contains("malformed");
        }
        assertThat(send("GET /test/page?limit=5 HTTP/1.1\r\n" + headers() + "\r\n")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aFormOrQueryThatAFilterCannotDecodeIsA400ProblemNotBootsErrorJson() throws IOException {
        // found by the 10,000-request fuzz run through the gateway: ?%%=%% with a form content type
        for (String query : List.of("%%=%%", "limit=%c3%28", "q=%ud800")) {
            Raw reply = send(withBody(
                    "POST", "/test/form-filter/x?" + query, "application/x-www-form-urlencoded", "{\"name\":1}"));

            // before: 400 application/json {"timestamp", "status", "error", "path"} from Boot's /error page
            assertProblem(reply, 400, "validation", query);
            assertThat(reply.json().path("detail").asString()).as(query).contains("malformed");
        }
    }

    @Test
    void aJsonEndpointSentAnotherMediaTypeIsA415NotA500() throws IOException {
        String body = "{\"name\":\"gear\",\"count\":1}";
        for (String type : List.of(
                "text/plain",
                "application/xml",
                "application/x-www-form-urlencoded",
                "application/json; charset=bogus",
                "application/json; charset=\"x y\"",
                "multipart/form-data; boundary=b")) {
            String payload = type.startsWith("multipart")
                    ? "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n"
                    : body;
            Raw reply = send(withBody("PUT", "/test/widgets/7/roles", type, payload));

            assertProblem(reply, 415, "validation", type);
        }
        Raw noType = send(withBody("PUT", "/test/widgets/7/roles", null, body));
        assertProblem(noType, 415, "validation", "no content type");
        assertThat(send(withBody("PUT", "/test/widgets/7/roles", "application/json", body))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aMalformedMultipartBodyIsA400NotA500() throws IOException {
        Map<String, String[]> cases = new LinkedHashMap<>();
        String part = "Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nxx\r\n";
        cases.put("missing boundary", new String[] {"multipart/form-data", "--x\r\n" + part + "--x--\r\n"});
        cases.put("truncated body", new String[] {"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: fo"});
        cases.put(
                "boundary mismatch", new String[] {"multipart/form-data; boundary=b", "--z\r\n" + part + "--z--\r\n"});
        cases.put("part without name", new String[] {
            "multipart/form-data; boundary=b", "--b\r\nContent-Type: image/png\r\n\r\nxx\r\n--b--\r\n"
        });
        cases.put("huge part headers", new String[] {
            "multipart/form-data; boundary=b", "--b\r\nX-Big: " + "h".repeat(20_000) + "\r\n" + part + "--b--\r\n"
        });
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            Raw reply = send(withBody("POST", "/test/upload", c.getValue()[0], c.getValue()[1]));

            assertThat(reply.status()).as(c.getKey()).isBetween(400, 499);
            assertProblem(reply, reply.status(), "validation", c.getKey());
        }
        Raw valid = send(
                withBody("POST", "/test/upload", "multipart/form-data; boundary=b", "--b\r\n" + part + "--b--\r\n"));
        assertThat(valid.status()).as(valid.body()).isEqualTo(200);
    }

    @Test
    void aRequestWithA64KilobyteHeaderIsA400Problem() throws IOException {
        Raw reply = send("GET /test/page HTTP/1.1\r\n" + headers() + "X-Big: " + "a".repeat(65_536) + "\r\n\r\n");

        assertProblem(reply, 400, "validation", "64 KB header");
    }

    private String headers() {
        return "Host: localhost\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n";
    }

    private String withBody(String method, String path, String type, String body) {
        return method + " " + path + " HTTP/1.1\r\n" + headers()
                + (type == null ? "" : "Content-Type: " + type + "\r\n") + "Content-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static void assertProblem(Raw reply, int status, String errorType, String attack) {
        assertThat(reply.status()).as("%s: %s", attack, reply.body()).isEqualTo(status);
        assertThat(reply.header("content-type")).as(attack).startsWith("application/problem+json");
        JsonNode json = reply.json();
        assertThat(json.path("errorType").asString()).as(attack).isEqualTo(errorType);
        assertThat(json.path("status").asInt()).as(attack).isEqualTo(status);
        assertThat(json.path("traceId").asString()).as(attack).isNotBlank();
    }

    private Raw send(String request) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                // answered and closed before reading all of it: read the answer
            }
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Raw(text);
        }
    }

    /** A whole HTTP/1.1 answer read until the server closed the connection. */
    private record Raw(String text) {

        int status() {
            return Integer.parseInt(text.split(" ", 3)[1]);
        }

        String header(String name) {
            for (String line : text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(name + ":")) {
                    return line.substring(name.length() + 1).trim();
                }
            }
            return "";
        }

        String body() {
            String body = text.substring(text.indexOf("\r\n\r\n") + 4);
            if (header("transfer-encoding").contains("chunked")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                String rest = body;
                while (true) {
                    int eol = rest.indexOf("\r\n");
                    int size = Integer.parseInt(
                            rest.substring(0, eol).split(";")[0].trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    out.writeBytes(rest.substring(eol + 2, eol + 2 + size).getBytes(StandardCharsets.UTF_8));
                    rest = rest.substring(eol + 2 + size + 2);
                }
                return out.toString(StandardCharsets.UTF_8);
            }
            return body;
        }

        JsonNode json() {
            return JSON.readTree(body());
        }
    }
}
