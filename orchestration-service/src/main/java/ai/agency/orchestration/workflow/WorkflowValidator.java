package ai.agency.orchestration.workflow;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.agent.AgentService;
import ai.agency.orchestration.chat.AgentTurns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Checks a workflow definition at create time, so that a run never fails for a reason that was visible in the
 * definition: ids, types, dependencies (unknown, cycles), agents and tools the caller may use, templates and
 * conditions that read only steps the step (transitively) depends on, retry and timeout bounds. Each problem is a
 * 400 whose field is {@code steps[i].<field>} and whose message names the step.
 */
@Component
class WorkflowValidator {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final AgentService agents;
    private final AgentTurns turns;

    WorkflowValidator(AgentService agents, AgentTurns turns) {
        this.agents = agents;
        this.turns = turns;
    }

    void validate(Caller caller, List<StepDefinition> steps) {
        Map<String, Integer> index = ids(steps);
        ToolNames tools = new ToolNames(caller);
        for (int i = 0; i < steps.size(); i++) {
            StepDefinition step = steps.get(i);
            String name = "step '" + step.id() + "'";
            checkShape(i, name, step, index);
            switch (step.type()) {
                case "agent" -> checkAgentStep(caller, i, name, step);
                case "tool" -> checkToolStep(i, name, step, tools);
                default -> {
                    // transform: any JSON; approval: any (ignored) input
                }
            }
        }
        String cycle = findCycle(steps);
        if (cycle != null) {
            throw invalid(index.get(cycle), "dependsOn", "step '" + cycle + "' is part of a dependency cycle");
        }
        checkTemplates(steps, index);
    }

    /** The caller's tool names, listed once, when the first tool step needs them. */
    private final class ToolNames {
        private final Caller caller;
        private Set<String> names;

        ToolNames(Caller caller) {
            this.caller = caller;
        }

        boolean contains(String tool) {
            if (names == null || !names.contains(tool)) {
                names = turns.toolNames(caller, tool);
            }
            return names.contains(tool);
        }
    }

    /** Every step is an object with a well-formed id used once: id → its position. */
    private static Map<String, Integer> ids(List<StepDefinition> steps) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            StepDefinition step = steps.get(i);
            if (step == null) {
                throw invalid(i, "", "a step must be an object");
            }
            if (step.id() == null || !ID.matcher(step.id()).matches()) {
                throw invalid(i, "id", "step " + (i + 1) + ": id must be 1-64 letters, digits, '_' or '-'");
            }
            if (index.putIfAbsent(step.id(), i) != null) {
                throw invalid(i, "id", "step '" + step.id() + "': the id is used twice");
            }
        }
        return index;
    }

    /** Type, dependencies, retry and timeout bounds: what every step must get right. */
    private static void checkShape(int i, String name, StepDefinition step, Map<String, Integer> index) {
        if (step.type() == null || !StepDefinition.TYPES.contains(step.type())) {
            throw invalid(i, "type", name + ": type must be one of " + StepDefinition.TYPES);
        }
        for (String dependency : step.dependencies()) {
            if (!index.containsKey(dependency)) {
                throw invalid(i, "dependsOn", name + " depends on unknown step '" + dependency + "'");
            }
            if (dependency.equals(step.id())) {
                throw invalid(i, "dependsOn", name + " depends on itself");
            }
        }
        if (step.retry() != null) {
            Integer attempts = step.retry().maxAttempts();
            Long backoff = step.retry().backoffMs();
            if (attempts != null && (attempts < 1 || attempts > 10)) {
                throw invalid(i, "retry.maxAttempts", name + ": maxAttempts must be between 1 and 10");
            }
            if (backoff != null && (backoff < 0 || backoff > 600_000)) {
                throw invalid(i, "retry.backoffMs", name + ": backoffMs must be between 0 and 600000");
            }
        }
        if (step.timeoutMs() != null && (step.timeoutMs() < 1 || step.timeoutMs() > 86_400_000)) {
            throw invalid(i, "timeoutMs", name + ": timeoutMs must be between 1 and 86400000");
        }
    }

    /** An agent step names an agent the caller may use, and its input is the message text or {message}. */
    private void checkAgentStep(Caller caller, int i, String name, StepDefinition step) {
        if (step.agentId() == null) {
            throw invalid(i, "agentId", name + ": an agent step needs agentId");
        }
        try {
            agents.get(caller, step.agentId());
        } catch (AgencyException e) {
            throw invalid(i, "agentId", name + ": unknown agent " + step.agentId());
        }
        if (step.agentVersion() != null) {
            try {
                agents.version(caller, step.agentId(), step.agentVersion());
            } catch (AgencyException e) {
                throw invalid(
                        i,
                        "agentVersion",
                        name + ": agent " + step.agentId() + " has no version " + step.agentVersion());
            }
        }
        boolean message = step.input() != null
                && (step.input().isString()
                        || step.input().isObject()
                                && step.input().path("message").isString());
        if (!message) {
            throw invalid(i, "input", name + ": input must be the message text or {message}");
        }
    }

    /** A tool step's input is {tool, parameters} naming a tool the caller can see. */
    private static void checkToolStep(int i, String name, StepDefinition step, ToolNames tools) {
        if (step.input() == null
                || !step.input().isObject()
                || !step.input().path("tool").isString()) {
            throw invalid(i, "input", name + ": input must be {tool, parameters}");
        }
        String tool = step.input().path("tool").asString();
        if (!tools.contains(tool)) {
            throw invalid(i, "input.tool", name + ": unknown tool '" + tool + "'");
        }
        if (step.input().has("parameters")
                && !step.input().get("parameters").isObject()
                && !step.input().get("parameters").isString()) {
            throw invalid(i, "input.parameters", name + ": parameters must be an object");
        }
    }

    /** Templates and conditions read only steps the step (transitively) depends on. */
    private static void checkTemplates(List<StepDefinition> steps, Map<String, Integer> index) {
        Map<String, Set<String>> ancestors = ancestors(steps);
        for (int i = 0; i < steps.size(); i++) {
            StepDefinition step = steps.get(i);
            String name = "step '" + step.id() + "'";
            List<String> read;
            try {
                read = Templates.references(step.input());
            } catch (IllegalArgumentException e) {
                throw invalid(i, "input", name + ": " + e.getMessage());
            }
            checkReads(i, "input", step, read, index, ancestors);
            if (step.condition() != null) {
                List<String> conditionReads;
                try {
                    conditionReads = Conditions.check(step.condition());
                } catch (IllegalArgumentException e) {
                    throw invalid(i, "condition", name + ": " + e.getMessage());
                }
                checkReads(i, "condition", step, conditionReads, index, ancestors);
            }
        }
    }

    private static void checkReads(
            int i,
            String field,
            StepDefinition step,
            List<String> read,
            Map<String, Integer> index,
            Map<String, Set<String>> ancestors) {
        for (String other : read) {
            String name = "step '" + step.id() + "'";
            if (!index.containsKey(other)) {
                throw invalid(i, field, name + " reads unknown step '" + other + "'");
            }
            if (!ancestors.get(step.id()).contains(other)) {
                throw invalid(i, field, name + " reads step '" + other + "' but does not depend on it");
            }
        }
    }

    /** A step on a cycle, or null. */
    private static String findCycle(List<StepDefinition> steps) {
        Map<String, List<String>> edges = new HashMap<>();
        steps.forEach(s -> edges.put(s.id(), s.dependencies()));
        Map<String, Integer> state = new HashMap<>();
        for (StepDefinition step : steps) {
            String found = visit(step.id(), edges, state);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static String visit(String id, Map<String, List<String>> edges, Map<String, Integer> state) {
        Integer s = state.get(id);
        if (s != null) {
            return s == 1 ? id : null;
        }
        state.put(id, 1);
        for (String next : edges.get(id)) {
            String found = visit(next, edges, state);
            if (found != null) {
                return found;
            }
        }
        state.put(id, 2);
        return null;
    }

    static Map<String, Set<String>> ancestors(List<StepDefinition> steps) {
        Map<String, StepDefinition> byId = new HashMap<>();
        steps.forEach(s -> byId.put(s.id(), s));
        Map<String, Set<String>> result = new HashMap<>();
        for (StepDefinition step : steps) {
            Set<String> seen = new HashSet<>();
            List<String> todo = new ArrayList<>(step.dependencies());
            while (!todo.isEmpty()) {
                String next = todo.removeLast();
                if (seen.add(next)) {
                    todo.addAll(byId.get(next).dependencies());
                }
            }
            result.put(step.id(), seen);
        }
        return result;
    }

    private static AgencyException invalid(int i, String field, String message) {
        return AgencyException.invalidField("steps[" + i + "]" + (field.isEmpty() ? "" : "." + field), message);
    }
}
