package ai.agency.gateway.apidocs;

import ai.agency.common.client.ServiceClients;
import ai.agency.common.error.AgencyException;
import ai.agency.gateway.GatewayProperties;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClientException;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /api-docs/<route>}: the OpenAPI document of a route's service ({@code /v3/api-docs} at
 * {@code agency.clients.<route>.base-url}, which defaults to the route's URI), with
 * its {@code servers} pointed at the gateway so Swagger UI's "Try it out" goes through the gateway. Open, like every
 * service's own {@code /v3/api-docs}. Off with {@code springdoc.api-docs.enabled=false} (the {@code prod} profile).
 */
@RestController
@ConditionalOnProperty(name = "springdoc.api-docs.enabled", matchIfMissing = true)
class ApiDocsController {

    /** A service renders its document on the first request, which may take a few seconds. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final GatewayProperties properties;
    private final ServiceClients clients;
    private final JsonMapper json;

    ApiDocsController(GatewayProperties properties, ServiceClients clients, JsonMapper json) {
        this.properties = properties;
        this.clients = clients;
        this.json = json;
    }

    @GetMapping(value = "/api-docs/{route}", produces = MediaType.APPLICATION_JSON_VALUE)
    JsonNode apiDocs(@PathVariable String route) {
        if (!properties.routes().containsKey(route)) {
            throw AgencyException.notFound("API docs of route", route);
        }
        String body;
        try {
            body = clients.restClient(route, READ_TIMEOUT)
                    .get()
                    .uri("/v3/api-docs")
                    .accept(MediaType.APPLICATION_JSON)
                    .retrieve()
                    .body(String.class);
        } catch (RestClientException e) {
            throw AgencyException.unavailable(
                    "The API docs of service '" + route + "' cannot be fetched; is it running?", e);
        } catch (IllegalStateException e) { // a route added without agency.clients.<route>.base-url
            throw AgencyException.unavailable(e.getMessage(), e);
        }
        JsonNode doc;
        try {
            doc = json.readTree(body == null ? "" : body);
        } catch (JacksonException e) {
            doc = null;
        }
        if (!(doc instanceof ObjectNode openApi)) {
            throw AgencyException.unavailable("Service '" + route + "' answered no OpenAPI document", null);
        }
        String gateway =
                ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
        openApi.putArray("servers").addObject().put("url", gateway).put("description", "through the gateway");
        return openApi;
    }
}
