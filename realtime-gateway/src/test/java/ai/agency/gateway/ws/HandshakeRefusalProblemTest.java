package ai.agency.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.gateway.RealtimeTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Found by fuzzing: refused {@code /ws} handshakes answered 401 / 429 / 400 with an empty or plain-text body. A
 * refused handshake is an ordinary HTTP answer, so it is a problem like every other 4xx (read on a raw socket: a
 * WebSocket client does not show the body of a refusal).
 */
class HandshakeRefusalProblemTest extends RealtimeTestSupport {

    @Test
    void aHandshakeWithoutOrWithABadTokenIsA401Problem() throws IOException {
        for (String authorization : new String[] {"", "Authorization: Bearer not.a.token\r\n"}) {
            Answer answer = handshake(authorization, true);

            answer.assertProblem(401, "authentication");
        }
    }

    @Test
    void aHandshakePastTheConnectionLimitIsA429ProblemWithRetryAfter() throws IOException {
        String token = JWTS.user(UUID.randomUUID());
        for (int i = 0; i < 3; i++) {
            connect(token).next("ready");
        }
        Answer answer = handshake("Authorization: Bearer " + token + "\r\n", true);

        answer.assertProblem(429, "rate_limit");
        assertThat(answer.header("retry-after")).isEqualTo("5");
    }

    @Test
    void aPlainGetOfTheWebSocketPathIsA400Problem() throws IOException {
        Answer answer = handshake("Authorization: Bearer " + JWTS.user(UUID.randomUUID()) + "\r\n", false);

        answer.assertProblem(400, "validation");
    }

    private Answer handshake(String extraHeaders, boolean upgrade) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            String request = "GET /ws HTTP/1.1\r\nHost: localhost:" + port + "\r\n"
                    + (upgrade
                            ? "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                            : "Connection: close\r\n")
                    + extraHeaders + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return read(socket.getInputStream());
        }
    }

    /** The head, then the body by its length or its chunks: a refused upgrade may keep the connection open. */
    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (int last4 = 0, b; last4 != 0x0d0a0d0a && (b = in.read()) >= 0; last4 = (last4 << 8) | b) {
            head.write(b);
        }
        Answer answer = new Answer(head.toString(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (!answer.header("content-length").isEmpty()) {
            body.writeBytes(in.readNBytes(Integer.parseInt(answer.header("content-length"))));
        } else if (answer.header("transfer-encoding").contains("chunked")) {
            for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
                body.writeBytes(in.readNBytes(size));
                in.readNBytes(2);
            }
        }
        return new Answer(answer.text() + body.toString(StandardCharsets.UTF_8));
    }

    private static int chunkSize(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.isEmpty()
                ? 0
                : Integer.parseInt(line.toString().split(";")[0].trim(), 16);
    }

    /** The head and the body of the answer, the body already de-chunked. */
    private record Answer(String text) {

        String header(String name) {
            for (String line : text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(name + ":")) {
                    return line.substring(name.length() + 1).trim();
                }
            }
            return "";
        }

        JsonNode json() {
            return JSON.readTree(text.substring(text.indexOf("\r\n\r\n") + 4));
        }

        void assertProblem(int status, String errorType) {
            assertThat(text).as(text).startsWith("HTTP/1.1 " + status + " ");
            assertThat(header("content-type")).as(text).startsWith("application/problem+json");
            JsonNode problem = json();
            assertThat(problem.path("status").asInt()).isEqualTo(status);
            assertThat(problem.path("errorType").asString()).isEqualTo(errorType);
            assertThat(problem.path("traceId").asString()).isNotBlank();
        }
    }
}
