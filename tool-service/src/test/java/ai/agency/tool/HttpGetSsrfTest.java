package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** {@code http_get} refuses every spelling of a non-public address, also behind a redirect. */
class HttpGetSsrfTest extends ToolApiTest {

    @Autowired
    private CircuitBreakerRegistry circuitBreakers;

    @Test
    void everyFormOfAPrivateOrMetadataAddressIsRefused() {
        int port = STUB.getAddress().getPort();
        List<String> urls = List.of(
                "http://127.0.0.1:" + port + "/text",
                "http://127.1:" + port + "/text",
                "http://2130706433:" + port + "/text", // decimal
                "http://0x7f000001:" + port + "/text", // hex
                "http://0x7f.0.0.1:" + port + "/text",
                "http://0177.0.0.1:" + port + "/text", // octal
                "http://017700000001:" + port + "/text",
                "http://[::1]:" + port + "/text",
                "http://[::ffff:127.0.0.1]:" + port + "/text", // IPv4-mapped IPv6
                "http://[::ffff:7f00:1]:" + port + "/text",
                "http://[0:0:0:0:0:ffff:a9fe:a9fe]/", // mapped 169.254.169.254
                "http://[64:ff9b::7f00:1]/", // NAT64 of loopback
                "http://[2002:7f00:1::]/", // 6to4 of loopback
                "http://0.0.0.0:" + port + "/text",
                "http://[::]:" + port + "/text",
                "http://169.254.169.254/latest/meta-data/",
                "http://[fd00:ec2::254]/latest/meta-data/",
                "http://metadata.google.internal/computeMetadata/v1/",
                "http://10.0.0.1/",
                "http://172.16.5.4/",
                "http://192.168.1.1/",
                "http://100.64.0.1/",
                "http://[fc00::1]/",
                "http://[fe80::1]/",
                "http://224.0.0.1/",
                "http://255.255.255.255/",
                "http://localhost.:" + port + "/text", // a name (not the allow-listed one) resolving to loopback
                "http://foo.localhost:" + port + "/text",
                "file:///etc/passwd",
                "ftp://example.com/",
                "gopher://127.0.0.1:6379/_INFO",
                "http://user@127.0.0.1:" + port + "/text");
        String token = newUser();
        for (String url : urls) {
            JsonNode envelope = executeOk(token, "http_get", Map.of("url", url));
            assertThat(assertFailed(envelope, "validation")).as(url).startsWith("url: refused");
        }
        assertThat(RECEIVED).doesNotContainKey("/text");
    }

    /** A public address (example.com's) that the hostile DNS answers to the check. */
    static final byte[] PUBLIC = {93, (byte) 184, (byte) 215, 14};

    @Test
    void aHostThatRebindsToLoopbackAfterTheCheckIsNotReached() {
        String host = "rebind-" + UUID.randomUUID() + ".example.net";
        String path = "/rebound-" + UUID.randomUUID();
        RebindingDns.rebind(host, PUBLIC, 1); // public to the first lookup, then 127.0.0.1

        JsonNode envelope = executeOk(
                newUser(),
                "http_get",
                Map.of("url", "http://" + host + ":" + STUB.getAddress().getPort() + path));

        // the call went to the checked public address, which does not answer here
        assertThat(assertFailed(envelope, "network")).contains(host);
        assertThat(RECEIVED).doesNotContainKey(path); // the loopback stub was never reached
        assertThat(RebindingDns.lookups(host)).isEqualTo(1); // resolved once, connected to what was checked
        circuitBreakers.circuitBreaker("tool-http_get").reset(); // a network failure counts against http_get
    }

    @Test
    void aRedirectToAPrivateAddressIsRefused() {
        String token = newUser();
        JsonNode toLoopback =
                executeOk(token, "http_get", Map.of("url", stubUrl("localhost") + "/redirect-to-loopback"));
        assertThat(assertFailed(toLoopback, "validation")).startsWith("url: refused");

        JsonNode toMetadata =
                executeOk(token, "http_get", Map.of("url", stubUrl("localhost") + "/redirect-to-metadata"));
        assertThat(assertFailed(toMetadata, "validation")).contains("169.254.169.254");
    }

    @Test
    void anAllowListedHostIsFetchedAsTextFollowingRedirects() {
        JsonNode data =
                assertSucceeded(executeOk(newUser(), "http_get", Map.of("url", stubUrl("localhost") + "/redirect-ok")));

        assertThat(data.get("status").asInt()).isEqualTo(200);
        assertThat(data.get("url").asString()).isEqualTo(stubUrl("localhost") + "/text");
        assertThat(data.get("body").asString()).startsWith("hello from localhost");
    }

    @Test
    void aHugeResponseIsCutOff() {
        JsonNode envelope = executeOk(newUser(), "http_get", Map.of("url", stubUrl("localhost") + "/huge"));

        assertThat(assertFailed(envelope, "network")).contains("larger than 65536 bytes");
    }

    @Test
    void binaryContentIsRefused() {
        JsonNode envelope = executeOk(newUser(), "http_get", Map.of("url", stubUrl("localhost") + "/binary"));

        assertThat(assertFailed(envelope, "validation")).contains("not text");
    }

    @Test
    void aUrlThatIsNotAStringViolatesTheSchema() {
        Response response = execute(newUser(), "http_get", Map.of("url", 42));

        assertThat(errorFields(assertProblem(response, 400, "validation"))).containsExactly("parameters.url");
    }
}
