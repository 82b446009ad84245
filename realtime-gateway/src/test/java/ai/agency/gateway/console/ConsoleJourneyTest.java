package ai.agency.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.agency.gateway.ConsoleStubs;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A newcomer's journey through the console in Chromium: sign up, sign in, create and edit an agent (versions, diff,
 * rollback), chat with it (a tool call, used memories, a degraded part), reopen a conversation, browse, search, edit
 * and see the history of memories, watch a run painted on the workflow's graph and approve its waiting step, read the
 * usage chart, manage API keys and the password, log out everywhere; then the same console by keyboard only.
 */
class ConsoleJourneyTest extends ConsoleBrowserSupport {

    @Test
    void signUpSignInCreateAnAgentChatSeeMemoriesRunAWorkflowAndReadTheUsage() throws Exception {
        String username = "newbie-" + UUID.randomUUID().toString().substring(0, 8);
        WebDriverWait wait = waiting();
        browser.get("about:blank");
        browser.get(consoleUrl());
        WebElement provider =
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.linkText("Sign in with Keycloak")));
        assertThat(provider.getAttribute("href")).endsWith("/api/v1/auth/oidc/keycloak/authorize?redirect=/console/");

        // sign up: a taken name is refused with the service's reason, then the account is made
        signUp("console-taken-" + UUID.randomUUID().toString().substring(0, 4), "long enough pw");
        signUp(username, "a good password");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("signup-result"), "created"));
        assertThat(browser.findElement(By.id("username")).getAttribute("value")).isEqualTo(username);
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("password");
        browser.switchTo().activeElement().sendKeys("a good password", Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("status"), "connected"));
        String token = ACCOUNTS.get(username);

        // agents: the first-run panel, then an agent made with a tool from the registry
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("first-run")));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("input[name=agent-tool]")));
        browser.findElement(By.id("agent-name")).sendKeys("Math <b>tutor</b>");
        browser.findElement(By.id("agent-prompt")).sendKeys("You teach arithmetic.");
        browser.findElement(By.cssSelector("input[name=agent-tool][value=calculator]"))
                .click();
        browser.findElement(By.id("save-agent")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("agent-result"), "version 1"));
        var agent = ConsoleStubs.AGENTS.values().stream()
                .filter(a -> a.path("owner").asString().equals("Bearer " + token))
                .findFirst()
                .orElseThrow();
        String agentId = agent.path("id").asString();
        assertThat(agent.path("tools").toString()).isEqualTo("[\"calculator\"]");
        assertThat(agent.path("systemPrompt").asString()).isEqualTo("You teach arithmetic.");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("agent-list"), "Math <b>tutor</b>"));
        assertThat(browser.findElement(By.id("first-run")).isDisplayed()).isFalse();

        // edit the prompt: version 2, the diff shows it, a rollback restores version 1's prompt as version 3
        browser.findElement(By.id("agent-prompt")).clear();
        browser.findElement(By.id("agent-prompt")).sendKeys("You teach algebra.");
        browser.findElement(By.id("save-agent")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("agent-result"), "version 2"));
        wait.until(d -> d.findElements(By.cssSelector("#agent-versions li")).size() == 2);
        browser.findElement(By.cssSelector("#agent-versions li[data-version='1'] .version-diff"))
                .click();
        WebElement change = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#agent-diff tr[data-field=systemPrompt]")));
        assertThat(change.getText()).contains("You teach arithmetic.", "You teach algebra.");
        assertThat(browser.findElements(By.cssSelector("#agent-diff tbody tr"))).hasSize(1);
        browser.findElement(By.cssSelector("#agent-versions li[data-version='1'] .version-rollback"))
                .click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("agent-result"), "now version 3"));
        assertThat(browser.findElement(By.id("agent-prompt")).getAttribute("value"))
                .isEqualTo("You teach arithmetic.");
        assertThat(ConsoleStubs.AGENTS.get(agentId).path("version").asInt()).isEqualTo(3);

        // chat with it: a tool call and its result, the memories used and a skipped part, inline
        browser.findElement(By.id("chat-with-agent")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("view-chat")));
        wait.until(d -> agentId.equals(new Select(d.findElement(By.id("chat-agent")))
                .getFirstSelectedOption()
                .getAttribute("value")));
        browser.findElement(By.id("message")).sendKeys("calc recall busy done", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#transcript .assistant:not(.streaming)"), "calcrecallbusydone"));
        String transcript = browser.findElement(By.id("transcript")).getText();
        assertThat(transcript)
                .contains("⚙ tool call calculator {\"expression\":\"17*23\"}")
                .contains("used memories: likes tea")
                .contains("⚠ skipped tools: tool calculator could not run (rate_limit)");
        assertThat(browser.findElements(By.cssSelector("#transcript li")))
                .extracting(e -> e.getAttribute("class"))
                .containsExactly("user", "tool", "tool", "memory", "degraded", "assistant"); // the answer comes last
        screenshot("journey-chat");
        var conversation = ConsoleStubs.CONVERSATIONS.get("Bearer " + token).getFirst();
        assertThat(conversation.get("agentId")).isEqualTo(agentId);

        // the conversation is listed at once; reopened, its stored messages show
        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#conversations li[data-conversation-id='" + conversation.get("id") + "']")));
        STORED_MESSAGES.put(
                (String) conversation.get("id"),
                List.of(
                        Map.of("role", "user", "content", "what is 17*23?"),
                        Map.of("role", "assistant", "content", "391")));
        browser.findElement(By.id("new-conversation")).click();
        open("agents");
        open("chat");
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(
                        "#conversations li[data-conversation-id='" + conversation.get("id") + "'] button")))
                .click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#transcript .assistant"), "391"));
        assertThat(browser.findElement(By.cssSelector("#transcript .user")).getText())
                .isEqualTo("what is 17*23?");

        // memories: filtered by tag, searched with scores, edited (history), deleted
        String tea = UUID.randomUUID().toString();
        String cat = UUID.randomUUID().toString();
        MEMORIES.put(tea, "drinks jasmine tea every morning");
        MEMORIES.put(cat, "has a cat named Miso");
        ConsoleStubs.MEMORY_TAGS.put(cat, List.of("pets"));
        open("memories");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("memories"), "jasmine"));
        browser.findElement(By.id("filter-tag")).sendKeys("pets", Keys.ENTER);
        wait.until(d -> !d.findElement(By.id("memories")).getText().contains("jasmine"));
        assertThat(browser.findElement(By.id("memories")).getText()).contains("Miso");
        browser.findElement(By.id("filter-tag")).clear();
        browser.findElement(By.id("memory-query")).sendKeys("jasmine morning", Keys.ENTER);
        By teaItem = By.cssSelector("#memories li[data-memory-id='" + tea + "']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(teaItem, "score 1.00"));
        assertThat(browser.findElement(By.id("memories-heading")).getText()).contains("results for “jasmine morning”");
        browser.findElement(By.cssSelector("#memories li[data-memory-id='" + tea + "'] .memory-edit"))
                .click();
        WebElement text = browser.findElement(By.cssSelector("#memories .memory-input"));
        text.clear();
        text.sendKeys("drinks green tea every morning");
        browser.findElement(By.cssSelector("#memories .memory-save")).click();
        wait.until(d -> "drinks green tea every morning".equals(MEMORIES.get(tea)));
        browser.findElement(By.id("memory-query")).clear();
        browser.findElement(By.id("memory-query")).sendKeys("green morning", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(teaItem, "drinks green tea every morning"));
        wait.until(d -> {
            d.findElement(By.cssSelector("#memories li[data-memory-id='" + tea + "'] .memory-history"))
                    .click();
            return true;
        });
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                teaItem, "UPDATE: “drinks jasmine tea every morning” → “drinks green tea every morning”"));

        browser.findElement(By.id("export-memories")).click(); // fetched with the token, saved as a file
        wait.until(ExpectedConditions.textToBe(By.id("memories-heading"), "Exported to memories.ndjson"));

        // a workflow drawn as a graph, a run's state painted on its steps as the events arrive
        String workflowId = UUID.randomUUID().toString();
        ConsoleStubs.WORKFLOW_STEPS.put(
                workflowId,
                "[{\"id\":\"fetch\",\"type\":\"tool\"},"
                        + "{\"id\":\"summarise\",\"type\":\"agent\",\"dependsOn\":[\"fetch\"]},"
                        + "{\"id\":\"translate\",\"type\":\"agent\",\"dependsOn\":[\"fetch\"]},"
                        + "{\"id\":\"publish\",\"type\":\"approval\",\"dependsOn\":[\"summarise\",\"translate\"]}]");
        WORKFLOWS.put(
                workflowId,
                new StubWorkflow(
                        token,
                        "news digest",
                        List.of(
                                new String[] {"run.started", "{\"status\":\"running\",\"progress\":0.0}"},
                                new String[] {"step.started", "{\"stepId\":\"fetch\",\"attempt\":1}"},
                                new String[] {"step.succeeded", "{\"stepId\":\"fetch\",\"attempt\":1,\"output\":3}"},
                                new String[] {"step.started", "{\"stepId\":\"summarise\",\"attempt\":1}"},
                                new String[] {"step.started", "{\"stepId\":\"translate\",\"attempt\":1}"},
                                new String[] {"step.succeeded", "{\"stepId\":\"summarise\",\"attempt\":1}"},
                                new String[] {
                                    "step.failed",
                                    "{\"stepId\":\"translate\",\"attempt\":1,"
                                            + "\"willRetry\":false,\"error\":{\"message\":\"no model\"}}"
                                },
                                new String[] {"step.waiting_approval", "{\"stepId\":\"publish\"}"}),
                        Integer.MAX_VALUE,
                        new Semaphore(0),
                        true));
        open("workflows");
        By node = By.cssSelector("#workflow-graph g.node[data-step-id=publish]");
        wait.until(ExpectedConditions.presenceOfElementLocated(node));
        assertThat(browser.findElements(By.cssSelector("#workflow-graph g.node")))
                .hasSize(4);
        assertThat(browser.findElements(By.cssSelector("#workflow-graph path.edge")))
                .hasSize(4);
        assertThat(x("fetch")).isLessThan(x("summarise"));
        assertThat(x("summarise")).isEqualTo(x("translate")).isLessThan(x("publish"));
        browser.findElement(By.id("workflow-input")).sendKeys("{\"topic\": \"space\"}");
        browser.findElement(By.id("start-workflow")).click();
        wait.until(ExpectedConditions.attributeContains(node, "class", "waiting_approval"));
        assertThat(nodeClass("fetch")).isEqualTo("node succeeded");
        assertThat(nodeClass("summarise")).isEqualTo("node succeeded");
        assertThat(nodeClass("translate")).isEqualTo("node failed");
        assertThat(browser.findElement(node).getText()).contains("publish", "waiting approval");
        String runId = browser.findElement(By.cssSelector("#runs .run")).getAttribute("data-run-id");
        assertThat(RUN_INPUTS.get(runId).path("topic").asString()).isEqualTo("space");
        assertThat(browser.findElement(By.id("run-timeline")).getText())
                .contains("run.started", "step.failed translate", "step.waiting_approval publish");
        browser.findElement(By.cssSelector("#runs li[data-run-id='" + runId + "'] .approve"))
                .click();
        wait.until(ExpectedConditions.attributeToBe(node, "class", "node succeeded"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("run-timeline"), "run.succeeded"));
        screenshot("journey-workflow-graph");

        // usage per day as bars
        ConsoleStubs.USAGE.put(
                "Bearer " + token, ConsoleStubs.usageDays(LocalDate.now().minusDays(2), 100, 0, 300));
        open("usage");
        wait.until(d -> d.findElements(By.cssSelector("#usage-chart g.bar")).size() == 3);
        List<WebElement> bars = browser.findElements(By.cssSelector("#usage-chart g.bar rect"));
        assertThat(Double.parseDouble(bars.get(2).getAttribute("height")))
                .isCloseTo(3 * Double.parseDouble(bars.get(0).getAttribute("height")), within(0.5));
        assertThat(bars.get(1).getAttribute("height")).isEqualTo("0.0");
        assertThat(browser.findElement(By.id("usage-caption")).getText()).isEqualTo("tokens per day: 400 in 3 days.");
        assertThat(browser.findElement(By.id("quotas")).getText()).contains("tokens per day: 1200 of 100000");

        // account: a key shown once and revoked, a password change, log out everywhere
        open("account");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("me"), username));
        browser.findElement(By.id("key-name")).sendKeys("ci");
        browser.findElement(By.cssSelector("#key-form input[value=write]")).click();
        browser.findElement(By.id("create-key")).click();
        WebElement key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-key-value")));
        assertThat(key.getText()).startsWith("agk_");
        assertThat(ConsoleStubs.KEYS.get("Bearer " + token).getFirst().get("scopes"))
                .isEqualTo(List.of("read", "write"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("keys"), "ci · read, write"));
        browser.findElement(By.cssSelector("#keys .key-revoke")).click();
        wait.until(d -> d.findElements(By.cssSelector("#keys li")).isEmpty());
        assertThat(ConsoleStubs.KEYS.get("Bearer " + token)).isEmpty();

        browser.findElement(By.id("current-password")).sendKeys("not my password");
        browser.findElement(By.id("new-password")).sendKeys("an even better one");
        browser.findElement(By.id("change-password")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("password-error"), "wrong"));
        browser.findElement(By.id("current-password")).clear();
        browser.findElement(By.id("current-password")).sendKeys("a good password");
        browser.findElement(By.id("change-password")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("password-result"), "Password changed"));
        browser.findElement(By.id("logout-all")).click();
        wait.until(ExpectedConditions.textToBe(By.id("login-error"), "You were logged out everywhere."));
        assertThat(browser.findElement(By.id("nav")).isDisplayed()).isFalse();
        assertThat(ConsoleStubs.ACCOUNT_ACTIONS).contains("password Bearer " + token, "logout-all Bearer " + token);
        signIn(username, "an even better one"); // the new password works
    }

    @Test
    void theFirstRunTourCreatesAStarterAgentAndOpensAChatWithIt() {
        String username = "tour-" + UUID.randomUUID().toString().substring(0, 8);
        String token = JWTS.user(UUID.randomUUID());
        ACCOUNTS.put(username, token);
        signIn(username, "secret");
        waiting()
                .until(ExpectedConditions.elementToBeClickable(By.id("tour-start")))
                .click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("view-chat")));
        var agent = ConsoleStubs.AGENTS.values().stream()
                .filter(a -> a.path("owner").asString().equals("Bearer " + token))
                .findFirst()
                .orElseThrow();
        assertThat(agent.path("name").asString()).isEqualTo("My assistant");
        assertThat(agent.path("tools").toString()).isEqualTo("[\"calculator\"]");
        waiting()
                .until(d -> new Select(d.findElement(By.id("chat-agent")))
                        .getFirstSelectedOption()
                        .getText()
                        .equals("My assistant"));
        browser.findElement(By.id("message")).sendKeys("hello there", Keys.ENTER);
        waiting()
                .until(ExpectedConditions.textToBePresentInElementLocated(
                        By.cssSelector("#transcript .assistant:not(.streaming)"), "hellothere"));
        assertThat(ConsoleStubs.CONVERSATIONS.get("Bearer " + token).getFirst().get("agentId"))
                .isEqualTo(agent.path("id").asString());
        open("agents"); // with an agent, the tour is gone
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("agent-list"), "My assistant"));
        assertThat(browser.findElement(By.id("first-run")).isDisplayed()).isFalse();
    }

    @Test
    void anExpiredAccessTokenIsRenewedWithTheRefreshTokenAndARefusedRefreshSignsOut() {
        String username = "expired-" + UUID.randomUUID().toString().substring(0, 8);
        UUID id = UUID.randomUUID();
        // already expired (and past the minute of clock skew the gateway allows)
        ACCOUNTS.put(username, JWTS.token(id, List.of("user"), java.time.Duration.ofMinutes(-5)));
        ConsoleStubs.FRESH_TOKENS.put(username, JWTS.user(id));
        signIn(username, "secret"); // the WebSocket ticket is refused, the page refreshes and goes on
        assertThat(ConsoleStubs.REFRESHES).contains("r:" + username);
        assertThat(ConsoleStubs.FRESH_TOKENS).doesNotContainKey(username); // spent
        open("memories");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("memories-heading"), "memories"));

        // a token that expires again, with no fresh one to get: back to the sign-in page, saying why
        String other = "expired-" + UUID.randomUUID().toString().substring(0, 8);
        ACCOUNTS.put(other, JWTS.token(UUID.randomUUID(), List.of("user"), java.time.Duration.ofMinutes(-5)));
        browser.get("about:blank");
        browser.get(consoleUrl());
        browser.findElement(By.id("username")).sendKeys(other);
        browser.findElement(By.id("password")).sendKeys("secret", Keys.ENTER);
        waiting().until(ExpectedConditions.textToBe(By.id("login-error"), "Your session has ended: sign in again."));
        assertThat(browser.findElement(By.id("view-signin")).isDisplayed()).isTrue();
    }

    @Test
    void aProviderSignInArrivesAsAOneTimeCodeInTheFragmentAndAFailedOneSaysWhy() {
        String token = JWTS.user(UUID.randomUUID());
        String code = "agc_" + UUID.randomUUID();
        SIGN_IN_CODES.put(code, token);
        browser.get("about:blank");
        browser.get(consoleUrl() + "#code=" + code);
        waiting().until(ExpectedConditions.textToBe(By.id("status"), "connected"));
        assertThat(browser.getCurrentUrl()).endsWith("/console/#/agents").doesNotContain(code);
        assertThat(SIGN_IN_CODES).doesNotContainKey(code);

        browser.get("about:blank");
        browser.get(consoleUrl() + "#code=" + code); // spent
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "invalid"));
        browser.get("about:blank");
        browser.get(consoleUrl() + "#error=provider_denied");
        waiting()
                .until(ExpectedConditions.textToBe(
                        By.id("login-error"), "Sign-in failed: the provider did not allow the sign-in"));
        assertThat(browser.getCurrentUrl()).endsWith("/console/#/signin");
    }

    @Test
    void keyboardOnlySignInThenSearchAndDeleteAMemoryWithAVisibleFocus() {
        String username = "keys-" + UUID.randomUUID().toString().substring(0, 8);
        ACCOUNTS.put(username, JWTS.user(UUID.randomUUID()));
        String memoryId = UUID.randomUUID().toString();
        MEMORIES.put(memoryId, "prefers the keyboard " + memoryId);
        browser.get("about:blank");
        browser.get(consoleUrl());

        tabTo(By.id("username")).sendKeys(username);
        tabTo(By.id("password")).sendKeys("secret", Keys.ENTER);
        waiting().until(ExpectedConditions.textToBe(By.id("status"), "connected"));
        WebElement link = tabTo(By.cssSelector("#nav a[data-view=memories]"));
        assertThat(link.getCssValue("outline-style")).isEqualTo("solid"); // the focus is visible
        link.sendKeys(Keys.ENTER);
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("view-memories")));
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("memories-title");

        tabTo(By.id("memory-query")).sendKeys(memoryId, Keys.ENTER);
        By item = By.cssSelector("#memories li[data-memory-id='" + memoryId + "']");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(item, "score"));
        WebElement delete = tabTo(By.cssSelector("#memories li[data-memory-id='" + memoryId + "'] .memory-delete"));
        assertThat(delete.getCssValue("outline-style")).isEqualTo("solid");
        delete.sendKeys(Keys.ENTER);
        waiting().until(ExpectedConditions.invisibilityOfElementLocated(item));
        assertThat(MEMORIES).doesNotContainKey(memoryId);
    }

    /** Presses Tab (only) until the element has the focus. */
    private WebElement tabTo(By target) {
        WebElement wanted = waiting().until(ExpectedConditions.presenceOfElementLocated(target));
        for (int i = 0; i < 60; i++) {
            if (browser.switchTo().activeElement().equals(wanted)) {
                return wanted;
            }
            new Actions(browser).sendKeys(Keys.TAB).perform();
        }
        throw new AssertionError("Tab never reached " + target);
    }

    private void signUp(String username, String password) {
        if (username.startsWith("console-taken-")) {
            ACCOUNTS.put(username, JWTS.user(UUID.randomUUID()));
        }
        for (String id : List.of("signup-username", "signup-email", "signup-password")) {
            browser.findElement(By.id(id)).clear();
        }
        browser.findElement(By.id("signup-username")).sendKeys(username);
        browser.findElement(By.id("signup-email")).sendKeys("new@example.com");
        browser.findElement(By.id("signup-password")).sendKeys(password);
        browser.findElement(By.id("signup")).click();
        if (username.startsWith("console-taken-")) {
            waiting()
                    .until(ExpectedConditions.textToBe(
                            By.id("signup-error"), "Sign-up failed: Username already taken"));
        }
    }

    private double x(String stepId) {
        String transform = browser.findElement(By.cssSelector("#workflow-graph g.node[data-step-id=" + stepId + "]"))
                .getAttribute("transform");
        return Double.parseDouble(transform.replaceAll("translate\\(([^,]+),.*", "$1"));
    }

    private String nodeClass(String stepId) {
        return browser.findElement(By.cssSelector("#workflow-graph g.node[data-step-id=" + stepId + "]"))
                .getAttribute("class");
    }
}
