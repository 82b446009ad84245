package ai.agency.platform;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver ({@code POST /v1/traces}, protobuf) in the test JVM: {@link RunningPlatform} starts it
 * once and points every service's {@code AGENCY_OTLP_ENDPOINT} at it, so the real jars export their spans here. It
 * keeps the last {@value #CAPACITY} spans; the other ITs never look at them.
 */
final class OtlpReceiver {

    static final int CAPACITY = 50_000;
    private static OtlpReceiver instance;

    /** One received span, ids in lower-case hex ({@code parentSpanId} empty for a root). */
    /** One span; {@code attributes}: its string attributes (e.g. {@code jdbc.query[0]} of a database statement). */
    record ReceivedSpan(
            String service,
            String traceId,
            String spanId,
            String parentSpanId,
            String name,
            java.util.Map<String, String> attributes) {}

    private final HttpServer server;
    private final Deque<ReceivedSpan> spans = new ArrayDeque<>();

    private OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", this::receive);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    static synchronized OtlpReceiver get() {
        if (instance == null) {
            try {
                instance = new OtlpReceiver();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the OTLP receiver", e);
            }
        }
        return instance;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces");
    }

    /** Every span received so far of trace {@code traceId}. */
    synchronized List<ReceivedSpan> spansOf(String traceId) {
        return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    /** The trace ids of every span called {@code name} received so far. */
    synchronized java.util.Set<String> traceIdsOfSpansNamed(String name) {
        return spans.stream()
                .filter(span -> span.name().equals(name))
                .map(ReceivedSpan::traceId)
                .collect(java.util.stream.Collectors.toSet());
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            ExportTraceServiceRequest request;
            try (InputStream body = body(exchange)) {
                request = ExportTraceServiceRequest.parseFrom(body);
            }
            for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
                String service = serviceName(resourceSpans.getResource());
                for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                    scopeSpans.getSpansList().forEach(span -> keep(service, span));
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    private static InputStream body(HttpExchange exchange) throws IOException {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        return "gzip".equalsIgnoreCase(encoding)
                ? new GZIPInputStream(exchange.getRequestBody())
                : exchange.getRequestBody();
    }

    private synchronized void keep(String service, Span span) {
        HexFormat hex = HexFormat.of();
        spans.addLast(new ReceivedSpan(
                service,
                hex.formatHex(span.getTraceId().toByteArray()),
                hex.formatHex(span.getSpanId().toByteArray()),
                hex.formatHex(span.getParentSpanId().toByteArray()),
                span.getName(),
                span.getAttributesList().stream()
                        .filter(attribute -> attribute.getValue().hasStringValue())
                        .collect(java.util.stream.Collectors.toMap(
                                attribute -> attribute.getKey(),
                                attribute -> attribute.getValue().getStringValue(),
                                (a, b) -> a))));
        while (spans.size() > CAPACITY) {
            spans.removeFirst();
        }
    }

    private static String serviceName(Resource resource) {
        return resource.getAttributesList().stream()
                .filter(attribute -> attribute.getKey().equals("service.name"))
                .map(attribute -> attribute.getValue())
                .map(AnyValue::getStringValue)
                .findFirst()
                .orElse("");
    }
}
