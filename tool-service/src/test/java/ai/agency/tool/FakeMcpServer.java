package ai.agency.tool;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real, independent MCP server for the import tests: the MCP Java SDK's streamable-HTTP servlet transport in an
 * embedded Tomcat on 127.0.0.1. It offers {@code Get-Weather} (read-only, answers JSON text), {@code add_note}
 * (structured content), {@code hang} (answers only when released) and {@code fail} (an {@code isError} result), and
 * remembers the {@code X-Api-Key} header of every call.
 */
final class FakeMcpServer implements AutoCloseable {

    final List<String> apiKeys = new CopyOnWriteArrayList<>();
    final McpSyncServer server;
    /** Lets the {@code hang} tool answer. */
    final CountDownLatch release = new CountDownLatch(1);

    private final Tomcat tomcat;

    private FakeMcpServer(Tomcat tomcat, McpSyncServer server) {
        this.tomcat = tomcat;
        this.server = server;
    }

    static FakeMcpServer start() {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(new JacksonMcpJsonMapper(JsonMapper.builder().build()))
                .mcpEndpoint("/mcp")
                .contextExtractor(request -> McpTransportContext.create(
                        request.getHeader("X-Api-Key") == null
                                ? Map.of()
                                : Map.of("apiKey", request.getHeader("X-Api-Key"))))
                .build();
        FakeMcpServer[] self = new FakeMcpServer[1];
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("fake-weather", "1.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(
                        McpServerFeatures.SyncToolSpecification.builder()
                                .tool(McpSchema.Tool.builder()
                                        .name("Get-Weather")
                                        .description("Weather in a city")
                                        .inputSchema(Map.of(
                                                "type", "object",
                                                "properties", Map.of("city", Map.of("type", "string")),
                                                "required", List.of("city")))
                                        .annotations(McpSchema.ToolAnnotations.builder()
                                                .readOnlyHint(true)
                                                .build())
                                        .build())
                                .callHandler((exchange, request) -> {
                                    Object key = exchange.transportContext().get("apiKey");
                                    self[0].apiKeys.add(key == null ? "" : key.toString());
                                    return McpSchema.CallToolResult.builder()
                                            .addTextContent("{\"city\":\""
                                                    + request.arguments().get("city") + "\",\"tempC\":21}")
                                            .build();
                                })
                                .build(),
                        McpServerFeatures.SyncToolSpecification.builder()
                                .tool(McpSchema.Tool.builder()
                                        .name("add_note")
                                        .description("Stores a note")
                                        .inputSchema(Map.of(
                                                "type",
                                                "object",
                                                "properties",
                                                Map.of("text", Map.of("type", "string"))))
                                        .build())
                                .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                                        .addTextContent("stored")
                                        .structuredContent(Map.of(
                                                "stored", request.arguments().get("text")))
                                        .build())
                                .build(),
                        McpServerFeatures.SyncToolSpecification.builder()
                                .tool(McpSchema.Tool.builder()
                                        .name("hang")
                                        .description("Never answers in time")
                                        .inputSchema(Map.of("type", "object"))
                                        .build())
                                .callHandler((exchange, request) -> {
                                    try {
                                        self[0].release.await(20, TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                    return McpSchema.CallToolResult.builder()
                                            .addTextContent("late")
                                            .build();
                                })
                                .build(),
                        McpServerFeatures.SyncToolSpecification.builder()
                                .tool(McpSchema.Tool.builder()
                                        .name("fail")
                                        .description("Always fails")
                                        .inputSchema(Map.of("type", "object"))
                                        .build())
                                .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                                        .addTextContent("kaput: the weather station is offline")
                                        .isError(true)
                                        .build())
                                .build())
                .build();
        try {
            Tomcat tomcat = new Tomcat();
            tomcat.setBaseDir(Files.createTempDirectory("fake-mcp").toString());
            Connector connector = new Connector();
            connector.setPort(0);
            connector.setProperty("address", "127.0.0.1");
            tomcat.setConnector(connector);
            Context context = tomcat.addContext("", null);
            Wrapper servlet = Tomcat.addServlet(context, "mcp", transport);
            servlet.setAsyncSupported(true);
            context.addServletMappingDecoded("/*", "mcp");
            tomcat.start();
            self[0] = new FakeMcpServer(tomcat, server);
            return self[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (LifecycleException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return tomcat.getConnector().getLocalPort();
    }

    String url() {
        return "http://localhost:" + port() + "/mcp";
    }

    @Override
    public void close() {
        release.countDown();
        try {
            server.close();
        } catch (RuntimeException ignored) {
            // already closed
        }
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException(e);
        }
    }
}
