package ai.agency.tool.builtin;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.tool.http.SafeHttp;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * {@code http_get}: fetches a public URL as text. Addresses are checked by {@code AddressGuard} for the URL and for
 * every redirect; size and time are capped; only textual content types are accepted.
 */
@Component
class HttpGetTool implements BuiltinTool {

    private static final int TIMEOUT_MS = 10_000;

    private final SafeHttp http;

    HttpGetTool(SafeHttp http) {
        this.http = http;
    }

    @Override
    public String name() {
        return "http_get";
    }

    @Override
    public String description() {
        return "Fetches a public http(s) URL and returns its text. Private, loopback, link-local and cloud metadata "
                + "addresses are refused; redirects are followed (each re-checked); binary content is refused.";
    }

    @Override
    public String parametersSchema() {
        return """
                {"type": "object",
                 "properties": {"url": {"type": "string", "minLength": 1, "maxLength": 2048,
                                        "description": "an http or https URL"}},
                 "required": ["url"],
                 "additionalProperties": false}""";
    }

    @Override
    public int timeoutMs() {
        return TIMEOUT_MS + 1_000;
    }

    @Override
    public Object run(Caller caller, JsonNode parameters) {
        URI url;
        try {
            url = new URI(parameters.get("url").asString().trim());
        } catch (URISyntaxException e) {
            throw AgencyException.invalidField("url", "is not a valid URL");
        }
        SafeHttp.Answer answer = http.send(
                "GET",
                url,
                Map.of("Accept", "text/*, application/json, application/xml;q=0.9"),
                null,
                Duration.ofMillis(TIMEOUT_MS),
                true,
                "url");
        MediaType type = mediaType(answer.contentType());
        if (!isText(type)) {
            throw new AgencyException(
                    ErrorType.VALIDATION, "the answer is not text (content type '" + answer.contentType() + "')");
        }
        Charset charset = type.getCharset() == null ? StandardCharsets.UTF_8 : type.getCharset();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("url", answer.url().toString());
        data.put("status", answer.status());
        data.put("contentType", answer.contentType());
        data.put("body", new String(answer.body(), charset));
        return data;
    }

    private static MediaType mediaType(String contentType) {
        try {
            return contentType.isBlank() ? MediaType.TEXT_PLAIN : MediaType.parseMediaType(contentType);
        } catch (IllegalArgumentException e) {
            return MediaType.APPLICATION_OCTET_STREAM;
        }
    }

    static boolean isText(MediaType type) {
        String main = type.getType().toLowerCase(Locale.ROOT);
        String sub = type.getSubtype().toLowerCase(Locale.ROOT);
        return main.equals("text")
                || (main.equals("application")
                        && (sub.equals("json")
                                || sub.equals("xml")
                                || sub.endsWith("+json")
                                || sub.endsWith("+xml")
                                || sub.equals("javascript")
                                || sub.equals("x-ndjson")));
    }
}
