package ai.agency.tool.execution;

import ai.agency.common.crypto.MasterKey;
import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.tool.http.SafeHttp;
import ai.agency.tool.registry.Tool;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls an admin-registered HTTP tool: parameters as a JSON body (POST/PUT/PATCH) or query string (GET/DELETE), the
 * tool's stored headers (decrypted only here), and a signature over timestamp + body:
 * {@code X-Agency-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))} with
 * {@code X-Agency-Timestamp} (Unix seconds). The answer must be JSON.
 */
@Component
public class HttpToolInvoker {

    public static final String SIGNATURE_HEADER = "X-Agency-Signature";
    public static final String TIMESTAMP_HEADER = "X-Agency-Timestamp";
    public static final String TOOL_HEADER = "X-Agency-Tool";
    public static final String USER_HEADER = "X-Agency-User";

    private final SafeHttp http;
    private final MasterKey masterKey;
    private final JsonMapper json;

    public HttpToolInvoker(SafeHttp http, MasterKey masterKey, JsonMapper json) {
        this.http = http;
        this.masterKey = masterKey;
        this.json = json;
    }

    public JsonNode invoke(Caller caller, Tool tool, JsonNode parameters) {
        // a registered HTTP tool has all three; only built-in and imported MCP tools lack them
        String method = Objects.requireNonNull(tool.method());
        String endpoint = Objects.requireNonNull(tool.endpoint());
        byte[] sealedSecret = Objects.requireNonNull(tool.sealedSecret());
        boolean hasBody = !method.equals("GET") && !method.equals("DELETE");
        byte[] body = hasBody ? json.writeValueAsBytes(parameters) : new byte[0];
        URI url = hasBody ? URI.create(endpoint) : withQuery(URI.create(endpoint), parameters);
        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        Map<String, String> headers = new LinkedHashMap<>(storedHeaders(tool));
        headers.put("Accept", "application/json");
        if (hasBody) {
            headers.put("Content-Type", "application/json");
        }
        headers.put(TOOL_HEADER, tool.name());
        headers.put(USER_HEADER, caller.id().toString());
        headers.put(TIMESTAMP_HEADER, timestamp);
        headers.put(SIGNATURE_HEADER, "sha256=" + sign(masterKey.decrypt(sealedSecret), timestamp, body));
        SafeHttp.Answer answer = http.send(
                tool.method(),
                url,
                headers,
                hasBody ? body : null,
                Duration.ofMillis(tool.timeoutMs() + 1_000L), // the executor's deadline fires first
                false,
                "endpoint");
        if (answer.status() < 200 || answer.status() > 299) {
            ErrorType type = ErrorClassifier.classify(HttpStatus.valueOf(answer.status()));
            throw new AgencyException(type, "the tool's endpoint answered HTTP " + answer.status());
        }
        if (answer.body().length == 0) {
            return json.nullNode();
        }
        try {
            return json.readTree(answer.body());
        } catch (JacksonException e) {
            throw new AgencyException(ErrorType.NETWORK, "the tool's endpoint answered with invalid JSON");
        }
    }

    /** Hex HMAC-SHA256 of {@code timestamp + "." + body} under {@code secret}. */
    public static String sign(byte[] secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '.');
            mac.update(body);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> storedHeaders(Tool tool) {
        if (tool.sealedHeaders() == null) {
            return Map.of();
        }
        return json.readValue(masterKey.decrypt(tool.sealedHeaders()), new TypeReference<Map<String, String>>() {});
    }

    private static URI withQuery(URI endpoint, JsonNode parameters) {
        StringBuilder query = new StringBuilder(endpoint.getRawQuery() == null ? "" : endpoint.getRawQuery());
        for (Map.Entry<String, JsonNode> field : parameters.properties()) {
            List<JsonNode> values =
                    field.getValue().isArray() ? field.getValue().valueStream().toList() : List.of(field.getValue());
            for (JsonNode value : values) {
                if (!query.isEmpty()) {
                    query.append('&');
                }
                query.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8))
                        .append('=')
                        .append(URLEncoder.encode(
                                value.isValueNode() ? value.asString() : value.toString(), StandardCharsets.UTF_8));
            }
        }
        String base = endpoint.toString();
        int cut = base.indexOf('?');
        if (cut >= 0) {
            base = base.substring(0, cut);
        }
        return URI.create(query.isEmpty() ? base : base + "?" + query);
    }
}
