package ai.agency.tool.builtin;

import ai.agency.common.client.memory.AddMemoryRequest;
import ai.agency.common.client.memory.MemoryClient;
import ai.agency.common.client.memory.SearchMemoryRequest;
import ai.agency.common.client.multimodal.AnalyzeTextRequest;
import ai.agency.common.client.multimodal.MultimodalClient;
import ai.agency.common.security.Caller;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The built-ins that call other services as the calling user (their token is relayed): {@code add_memory}, {@code
 * search_memory} (memory-service) and {@code analyze_text} (multimodal-service). The memory tools pass memory-service's
 * facts-that-change members through by their names ({@code validFrom}, {@code supersedes}; {@code asOf}, {@code
 * includeInvalid}), checked first by {@link MemoryArguments}.
 */
@Configuration(proxyBeanMethods = false)
class DownstreamTools {

    @Bean
    BuiltinTool addMemory(MemoryClient memory, JsonMapper json) {
        return new BuiltinTool() {
            @Override
            public String name() {
                return "add_memory";
            }

            @Override
            public String description() {
                return "Stores a memory for the calling user in memory-service. When the new fact replaces facts that"
                        + " no longer hold (a move, a new job), pass their ids (from search_memory) in supersedes: they"
                        + " are closed, not deleted, and the result lists each with event SUPERSEDE.";
            }

            @Override
            public String parametersSchema() {
                return """
                        {"type": "object",
                         "properties": {
                           "content": {"type": "string", "minLength": 1, "maxLength": 8000},
                           "agentId": {"type": "string", "maxLength": 128},
                           "sessionId": {"type": "string", "maxLength": 128},
                           "tags": {"type": "array", "maxItems": 32, "items": {"type": "string", "minLength": 1, "maxLength": 64}},
                           "importance": {"type": "number", "minimum": 0, "maximum": 1},
                           "metadata": {"type": "object"},
                           "infer": {"type": "boolean"},
                           "validFrom": {"type": "string", "format": "date-time",
                                         "description": "When the fact starts to hold, an ISO-8601 instant with a time zone (e.g. 2025-03-01T00:00:00Z); default: metadata.date, else now"},
                           "supersedes": {"type": "array", "maxItems": 100,
                                          "items": {"type": "string", "format": "uuid"},
                                          "description": "Ids of current memories this fact replaces; they get invalidAt and supersededBy"}},
                         "required": ["content"],
                         "additionalProperties": false}""";
            }

            @Override
            public boolean write() {
                return true;
            }

            @Override
            public void check(JsonNode parameters) {
                MemoryArguments.checkAdd(parameters);
            }

            @Override
            public Object run(Caller caller, JsonNode parameters) {
                return memory.add("Bearer " + caller.token(), json.treeToValue(parameters, AddMemoryRequest.class));
            }
        };
    }

    @Bean
    BuiltinTool searchMemory(MemoryClient memory, JsonMapper json) {
        return new BuiltinTool() {
            @Override
            public String name() {
                return "search_memory";
            }

            @Override
            public String description() {
                return "Searches the calling user's memories in memory-service, best match first. Only facts that"
                        + " hold now unless asOf (what held at that instant) or includeInvalid (superseded facts too)"
                        + " is given; each result has validFrom, invalidAt (null while it holds) and supersededBy.";
            }

            @Override
            public String parametersSchema() {
                return """
                        {"type": "object",
                         "properties": {
                           "query": {"type": "string", "minLength": 1, "maxLength": 2000},
                           "limit": {"type": "integer", "minimum": 1, "maximum": 100},
                           "threshold": {"type": "number", "minimum": -1, "maximum": 1},
                           "filters": {"type": "object"},
                           "asOf": {"type": "string", "format": "date-time",
                                    "description": "Return what held at this ISO-8601 instant with a time zone (e.g. 2024-06-01T00:00:00Z) instead of what holds now"},
                           "includeInvalid": {"type": "boolean",
                                              "description": "true: also memories that were superseded (closed); not together with asOf"}},
                         "required": ["query"],
                         "additionalProperties": false}""";
            }

            @Override
            public void check(JsonNode parameters) {
                MemoryArguments.checkSearch(parameters);
            }

            @Override
            public Object run(Caller caller, JsonNode parameters) {
                return memory.search(
                        "Bearer " + caller.token(), json.treeToValue(parameters, SearchMemoryRequest.class));
            }
        };
    }

    @Bean
    BuiltinTool analyzeText(MultimodalClient multimodal) {
        return new BuiltinTool() {
            @Override
            public String name() {
                return "analyze_text";
            }

            @Override
            public String description() {
                return "Analyses a text with multimodal-service: language, sentiment, entities, keywords, summary.";
            }

            @Override
            public String parametersSchema() {
                return """
                        {"type": "object",
                         "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 100000}},
                         "required": ["text"],
                         "additionalProperties": false}""";
            }

            @Override
            public int timeoutMs() {
                return 15_000;
            }

            @Override
            public Object run(Caller caller, JsonNode parameters) {
                return multimodal.analyzeText(
                        "Bearer " + caller.token(),
                        new AnalyzeTextRequest(parameters.path("text").asString()));
            }
        };
    }
}
