package ai.agency.common.audit;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real local HTTP server standing in for auth-service's ingest endpoint; records what it receives. */
final class AuditReceiver implements AutoCloseable {

    /** One received request. */
    record Received(String method, String path, String authorization, String body) {}

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    volatile int status = 202;
    /** While not counted down, every request waits (a slow auth-service). */
    volatile CountDownLatch gate = new CountDownLatch(0);

    private final HttpServer server;

    AuditReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    body));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/audit/events");
    }

    Received next() throws InterruptedException {
        Received r = received.poll(20, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the audit receiver got nothing");
        }
        return r;
    }

    @Override
    public void close() {
        gate.countDown();
        server.stop(0);
    }
}
