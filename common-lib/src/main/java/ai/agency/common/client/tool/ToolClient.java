package ai.agency.common.client.tool;

import ai.agency.common.page.Page;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.PostExchange;

/**
 * The part of tool-service's API that other services call (orchestration's chat turns and workflow tool steps),
 * declared once. Create it with {@code clients.create("tool", ToolClient.class)}; the bearer token is passed
 * explicitly, so a call acts as the user on any thread.
 */
public interface ToolClient {

    /** {@code GET /api/v1/tools}: the tools the caller may see (one page: the registry is small). */
    @GetExchange("/api/v1/tools")
    Page<ToolInfo> list(@RequestHeader(HttpHeaders.AUTHORIZATION) String bearer);

    /**
     * {@code POST /api/v1/tools/{name}/execute}. {@code idempotencyKey}: null for none; a repeat with the same key gets
     * the first call's result. A tool that ran and failed is a 200 with {@code success: false}; bad parameters, an
     * unknown tool or a missing permission are 4xx problems (thrown as {@code RestClientResponseException}).
     */
    @PostExchange("/api/v1/tools/{name}/execute")
    ToolResult execute(
            @RequestHeader(HttpHeaders.AUTHORIZATION) String bearer,
            @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            @PathVariable String name,
            @RequestBody ExecuteToolRequest body);
}
