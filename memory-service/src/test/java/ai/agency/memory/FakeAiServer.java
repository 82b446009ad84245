package ai.agency.memory;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A local stand-in for an AI provider (JDK HTTP server) speaking the real wire formats: OpenAI
 * {@code POST /v1/embeddings} and {@code /v1/chat/completions}, Ollama {@code POST /api/embed}. Embeddings are a
 * deterministic bag of hashed words (texts sharing words are similar); chat answers come from a settable function.
 * Every request is recorded.
 */
public final class FakeAiServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One request as received. */
    public record Request(String path, String authorization, JsonNode body) {}

    private final HttpServer server;
    private final int dimensions;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<JsonNode, Answer> chat = body -> Answer.completion("{\"facts\": []}");
    private volatile int embeddingDimensions;

    /** A status and body to answer with. */
    public record Answer(int status, String body) {

        /** A chat completion whose message content is {@code content}. */
        public static Answer completion(String content) {
            return new Answer(
                    200,
                    JSON.writeValueAsString(java.util.Map.of(
                            "id", "chatcmpl-test",
                            "object", "chat.completion",
                            "model", "fake-chat",
                            "choices",
                                    List.of(java.util.Map.of(
                                            "index",
                                            0,
                                            "finish_reason",
                                            "stop",
                                            "message",
                                            java.util.Map.of("role", "assistant", "content", content))))));
        }
    }

    public FakeAiServer(int dimensions) {
        this.dimensions = dimensions;
        this.embeddingDimensions = dimensions;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(new Request(path, exchange.getRequestHeaders().getFirst("Authorization"), body));
            Answer answer = switch (path) {
                case "/v1/embeddings" -> openAiEmbeddings(body);
                case "/api/embed" -> ollamaEmbeddings(body);
                case "/v1/chat/completions" -> chat.apply(body);
                default -> new Answer(404, "{\"error\":\"not found\"}");
            };
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Request> requests() {
        return requests;
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** How the chat endpoint answers from now on. */
    public void answerChat(Function<JsonNode, Answer> chat) {
        this.chat = chat;
    }

    /** Makes the embeddings endpoints answer vectors of another size (a misconfigured model). */
    public void embeddingDimensions(int dimensions) {
        this.embeddingDimensions = dimensions;
    }

    /** The fake's vector for a text: word hashes counted into {@code dimensions} buckets, normalised. */
    public float[] vector(String text) {
        float[] v = new float[embeddingDimensions];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!word.isEmpty()) {
                v[Math.floorMod(word.hashCode(), v.length)] += 1;
            }
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        if (norm == 0) {
            v[0] = 1;
            return v;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    private Answer openAiEmbeddings(JsonNode body) {
        List<java.util.Map<String, Object>> data = new java.util.ArrayList<>();
        int index = 0;
        for (JsonNode input : body.get("input")) {
            data.add(java.util.Map.of("object", "embedding", "index", index++, "embedding", vector(input.asString())));
        }
        java.util.Collections.reverse(data); // the index, not the order, says which input a vector belongs to
        return new Answer(
                200,
                JSON.writeValueAsString(java.util.Map.of(
                        "object",
                        "list",
                        "data",
                        data,
                        "model",
                        body.get("model").asString(),
                        "usage",
                        java.util.Map.of("prompt_tokens", 1, "total_tokens", 1))));
    }

    private Answer ollamaEmbeddings(JsonNode body) {
        List<float[]> embeddings = new java.util.ArrayList<>();
        for (JsonNode input : body.get("input")) {
            embeddings.add(vector(input.asString()));
        }
        return new Answer(
                200,
                JSON.writeValueAsString(
                        java.util.Map.of("model", body.get("model").asString(), "embeddings", embeddings)));
    }

    public int dimensions() {
        return dimensions;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
