package ai.agency.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.gateway.ConsoleStubs;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Every view at phone (390×844) and desktop (1280×800) size, in the light and the dark scheme: a screenshot into
 * {@code target/console-screenshots/}, nothing wider than the window (no sideways scrolling), and an axe-core scan
 * with no serious or critical violation.
 */
class ConsoleLayoutTest extends ConsoleBrowserSupport {

    static final List<String> VIEWS =
            List.of("agents", "chat", "memories", "workflows", "sessions", "usage", "account", "admin");

    @Test
    void everyViewFitsAPhoneAndADesktopAndPassesAnAxeScanInBothColourSchemes() throws Exception {
        String username = "admin-" + UUID.randomUUID().toString().substring(0, 8);
        String token = JWTS.admin(UUID.randomUUID());
        ACCOUNTS.put(username, token);
        seed(token);
        List<String> problems = new ArrayList<>();
        try {
            for (boolean dark : List.of(false, true)) {
                ((ChromeDriver) browser)
                        .executeCdpCommand(
                                "Emulation.setEmulatedMedia",
                                Map.of(
                                        "features",
                                        List.of(Map.of(
                                                "name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
                for (Dimension size : List.of(new Dimension(390, 844), new Dimension(1280, 800))) {
                    browser.manage().window().setSize(size);
                    browser.get("about:blank");
                    browser.get(consoleUrl());
                    check("signin", size, dark, problems);
                    signIn(username, "secret");
                    for (String view : VIEWS) {
                        open(view);
                        settle(view);
                        check(view, size, dark, problems);
                    }
                }
            }
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
            ((ChromeDriver) browser).executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theAxeScanFindsWhatItShouldSoItsSilenceMeansSomething() throws Exception {
        browser.get("about:blank");
        browser.get(consoleUrl());
        assertThat(axeViolations()).isEmpty();
        js("const i = document.createElement('input'); document.getElementById('login-form').append(i);"
                + "const p = document.createElement('p'); p.textContent = 'faint'; p.className = 'faint';"
                + "p.style.color = '#f4f5f7'; document.getElementById('login-panel').append(p);");
        assertThat(axeViolations())
                .anyMatch(v -> v.startsWith("label:"))
                .anyMatch(v -> v.startsWith("color-contrast:"));
    }

    private void check(String view, Dimension size, boolean dark, List<String> problems) throws Exception {
        String name = view + "-" + size.width + "x" + size.height + (dark ? "-dark" : "");
        screenshot(name);
        long scrollWidth = ((Number) js("return document.documentElement.scrollWidth")).longValue();
        long innerWidth = ((Number) js("return window.innerWidth")).longValue();
        if (scrollWidth > innerWidth) {
            problems.add(name + ": " + scrollWidth + " px wide in a " + innerWidth + " px window");
        }
        axeViolations().forEach(v -> problems.add(name + ": " + v));
    }

    /** Waits for what each view loads, so the scan sees it filled. */
    private void settle(String view) {
        By loaded = switch (view) {
            case "agents" -> By.cssSelector("#agent-list li");
            case "chat" -> By.cssSelector("#chat-agent option");
            case "memories" -> By.cssSelector("#memories li");
            case "workflows" -> By.cssSelector("#workflow-graph g.node.waiting_approval");
            case "usage" -> By.cssSelector("#usage-chart g.bar");
            case "account" -> By.cssSelector("#me dd");
            case "admin" -> By.cssSelector("#admin-users li");
            default -> By.id("view-" + view);
        };
        waiting().until(ExpectedConditions.presenceOfElementLocated(loaded));
    }

    private static void seed(String token) {
        String agentId = UUID.randomUUID().toString();
        var agent = JSON.createObjectNode()
                .put("id", agentId)
                .put("name", "Travel planner")
                .put("systemPrompt", "Plan trips.")
                .put("owner", "Bearer " + token)
                .put("version", 1);
        agent.putArray("tools").add("calculator");
        agent.putObject("model").put("provider", "ollama").put("name", "llama3.2");
        ConsoleStubs.AGENTS.put(agentId, agent);
        ConsoleStubs.AGENT_VERSIONS.put(agentId, new java.util.concurrent.CopyOnWriteArrayList<>(List.of(agent)));
        MEMORIES.put(UUID.randomUUID().toString(), "travels by train whenever possible");
        ConsoleStubs.USAGE.put(
                "Bearer " + token, ConsoleStubs.usageDays(LocalDate.now().minusDays(6), 5, 9, 2, 0, 14, 7, 3));
        String workflowId = UUID.randomUUID().toString();
        ConsoleStubs.WORKFLOW_STEPS.put(
                workflowId,
                "[{\"id\":\"research\",\"type\":\"agent\"},{\"id\":\"budget\",\"type\":\"tool\",\"dependsOn\":[\"research\"]},"
                        + "{\"id\":\"book\",\"type\":\"approval\",\"dependsOn\":[\"research\",\"budget\"]}]");
        listRun(
                UUID.randomUUID().toString(),
                workflowId,
                new StubRun(
                        token,
                        new java.util.concurrent.CopyOnWriteArrayList<>(List.of(
                                new String[] {"run.started", "{\"status\":\"running\"}"},
                                new String[] {"step.succeeded", "{\"stepId\":\"research\",\"attempt\":1}"},
                                new String[] {"step.succeeded", "{\"stepId\":\"budget\",\"attempt\":1,\"output\":900}"},
                                new String[] {"step.waiting_approval", "{\"stepId\":\"book\"}"})),
                        Integer.MAX_VALUE,
                        true));
        WORKFLOWS.put(workflowId, new StubWorkflow(token, "plan a trip", List.of(), 0, new Semaphore(0)));
    }
}
