package ai.agency.common.client.tool;

import tools.jackson.databind.JsonNode;

/**
 * Body of {@code POST /api/v1/tools/{name}/execute}: the tool's parameters, passed as given (tool-service checks them
 * against the tool's schema and answers 400 with one field error per violation).
 */
public record ExecuteToolRequest(JsonNode parameters) {}
