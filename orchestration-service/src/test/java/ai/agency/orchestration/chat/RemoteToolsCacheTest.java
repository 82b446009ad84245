package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.client.tool.ToolClient;
import ai.agency.common.client.tool.ToolInfo;
import ai.agency.common.page.Page;
import ai.agency.orchestration.OrchestrationProperties;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cached tool list (60 s by default) and a tool registered meanwhile. Before: a workflow naming a tool an admin
 * had just registered was refused as "unknown tool" for up to a minute (found by WorkflowCrashIT when an earlier test
 * had filled the cache). Now a name the cache lacks makes the list be read again — at most once a second.
 */
class RemoteToolsCacheTest {

    private final List<ToolInfo> offered = new CopyOnWriteArrayList<>(List.of(tool("calculator")));
    private final AtomicInteger listings = new AtomicInteger();

    private static ToolInfo tool(String name) {
        return new ToolInfo(
                name,
                name,
                JsonMapper.builder().build().createObjectNode(),
                "builtin",
                true,
                false,
                null,
                null,
                null,
                null);
    }

    private RemoteTools remoteTools() {
        ToolClient client = (ToolClient) java.lang.reflect.Proxy.newProxyInstance(
                ToolClient.class.getClassLoader(), new Class<?>[] {ToolClient.class}, (proxy, method, args) -> {
                    if (method.getName().equals("list")) {
                        listings.incrementAndGet();
                        return new Page<>(List.copyOf(offered), null);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        OrchestrationProperties properties = new Binder(
                        new MapConfigurationPropertySource(Map.of("agency.orchestration.tools-cache-ttl", "60s")))
                .bindOrCreate("agency.orchestration", OrchestrationProperties.class);
        return new RemoteTools(client, JsonMapper.builder().build(), properties);
    }

    @Test
    void aToolRegisteredSinceTheListWasCachedIsKnownAtOnce() throws Exception {
        RemoteTools tools = remoteTools();
        assertThat(tools.names("Bearer t")).containsExactly("calculator");
        assertThat(tools.names("Bearer t")).containsExactly("calculator");
        assertThat(listings).as("cached").hasValue(1);

        Thread.sleep(RemoteTools.MISSING_NAME_RELIST.toMillis() + 100);
        offered.add(tool("crash_effect"));
        assertThat(tools.names("Bearer t", List.of("crash_effect"))).contains("crash_effect");
        assertThat(listings).hasValue(2);
        assertThat(tools.callbacks(List.of("crash_effect"), "Bearer t")).hasSize(1);
        assertThat(listings).as("now cached with it").hasValue(2);

        // names that do not exist read the list again at most once a second
        for (int i = 0; i < 50; i++) {
            assertThat(tools.names("Bearer t", List.of("no_such_tool_" + i))).doesNotContain("no_such_tool_" + i);
        }
        assertThat(listings).hasValueLessThanOrEqualTo(3);
    }
}
