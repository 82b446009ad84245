package ai.agency.common.flags;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.security.Caller;
import com.sun.net.httpserver.HttpServer;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.FlagEvaluationDetails;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The provider over flags read from an in-test auth-service {@code /internal/flags}, through the OpenFeature client. */
class HttpFlagStoreTest {

    private static final String SECRET = "a-shared-secret-of-the-services";

    private final AtomicReference<String> body = new AtomicReference<>("{\"flags\":[]}");
    private HttpServer auth;
    private HttpFlagStore store;

    @BeforeEach
    void start() throws Exception {
        auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        auth.createContext(FlagsProperties.PATH, exchange -> {
            try (exchange) {
                boolean allowed = SECRET.equals(exchange.getRequestHeaders().getFirst("Agency-Usage-Secret"));
                byte[] bytes = (allowed ? body.get() : "{\"status\":401}").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(allowed ? 200 : 401, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        auth.start();
    }

    @AfterEach
    void stop() {
        if (store != null) {
            store.stop();
        }
        auth.stop(0);
    }

    private HttpFlagStore store(String secret) {
        URI base = URI.create("http://127.0.0.1:" + auth.getAddress().getPort());
        return new HttpFlagStore(
                base, new FlagsProperties("http", "", Duration.ofMillis(200), secret, Duration.ofSeconds(2)));
    }

    private static Caller caller(String... roles) {
        return new Caller(UUID.randomUUID(), "someone", Set.of(roles), Set.of("read", "write"), "token");
    }

    @Test
    void aChangeAtAuthServiceIsInEffectWithinTheRefreshInterval() throws InterruptedException {
        body.set("{\"flags\":[{\"key\":\"chat.memory-recall\",\"enabled\":true,\"percentage\":100,\"roles\":[]}]}");
        store = store(SECRET);
        store.start();
        Flags flags = new Flags(store);
        Caller user = caller("user");
        assertThat(flags.isOn("chat.memory-recall", user, false)).isTrue();

        body.set("{\"flags\":[{\"key\":\"chat.memory-recall\",\"enabled\":false,\"percentage\":100,\"roles\":[]}]}");
        long changed = System.nanoTime();
        while (flags.isOn("chat.memory-recall", user, true)
                && System.nanoTime() - changed < Duration.ofSeconds(2).toNanos()) {
            Thread.sleep(20);
        }
        assertThat(flags.isOn("chat.memory-recall", user, true)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - changed))
                .as("refresh interval 200 ms")
                .isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void rolesTargetThroughTheOpenFeatureContext() {
        body.set("{\"flags\":[{\"key\":\"ops.preview\",\"enabled\":true,\"percentage\":0,\"roles\":[\"admin\"]}]}");
        store = store(SECRET);
        store.start();
        Flags flags = new Flags(store);
        assertThat(flags.isOn("ops.preview", caller("user", "admin"), false)).isTrue();
        assertThat(flags.isOn("ops.preview", caller("user"), true)).isFalse();
        FlagEvaluationDetails<Boolean> details = flags.client()
                .getBooleanDetails(
                        "ops.preview", false, Flags.context(UUID.randomUUID().toString(), Set.of("admin")));
        assertThat(details.getReason()).isEqualTo("TARGETING_MATCH");
        assertThat(details.getVariant()).isEqualTo("on");
    }

    @Test
    void unknownFlagsWrongTypesAndAnUnreadableSourceAnswerTheDefault() {
        store = store("not-the-secret-at-all");
        store.start();
        assertThat(store.refresh()).as("auth-service refuses a wrong secret").isFalse();
        Flags flags = new Flags(store);
        assertThat(flags.isOn("anything", caller("user"), true)).isTrue();
        assertThat(flags.isOn("anything", caller("user"), false)).isFalse();
        FlagEvaluationDetails<Boolean> missing = flags.client().getBooleanDetails("anything", true);
        assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
        assertThat(flags.client().getStringValue("anything", "dflt")).isEqualTo("dflt");
    }

    @Test
    void theLastFlagsReadStayWhenAuthServiceGoesAway() {
        body.set("{\"flags\":[{\"key\":\"k\",\"enabled\":true,\"percentage\":100,\"roles\":[]}]}");
        store = store(SECRET);
        store.start();
        Flags flags = new Flags(store);
        assertThat(flags.isOn("k", false)).isTrue();
        auth.stop(0);
        assertThat(store.refresh()).isFalse();
        assertThat(flags.isOn("k", false)).isTrue();
    }
}
