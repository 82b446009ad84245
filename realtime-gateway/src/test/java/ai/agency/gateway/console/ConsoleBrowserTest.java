package ai.agency.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What the first console did, in the views of the new one: chat with a streamed answer and a tool call, a tool run,
 * a memory deleted, workflow runs followed live with approvals and cancels, invitations, and the policy's refusal of
 * injected script (see {@link ConsoleBrowserSupport}).
 */
class ConsoleBrowserTest extends ConsoleBrowserSupport {

    @Test
    void signInChatWithTheAnswerStreamingInSeeAToolCallAndDeleteAMemory() throws Exception {
        String username = "console-" + UUID.randomUUID().toString().substring(0, 8);
        ACCOUNTS.put(username, JWTS.user(UUID.randomUUID()));
        String memoryId = UUID.randomUUID().toString();
        MEMORIES.put(memoryId, "likes green tea");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

        browser.get("http://localhost:" + port + "/");
        assertThat(browser.getCurrentUrl()).endsWith("/console/#/signin");
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys("wrong");
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "Wrong username"));

        browser.findElement(By.id("password")).clear();
        browser.findElement(By.id("password")).sendKeys("secret");
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "connected"));
        assertThat(browser.getCurrentUrl()).endsWith("/console/#/agents"); // the home view after signing in
        open("memories");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("memories"), "likes green tea"));
        open("chat");

        // the stub holds this answer after its first token: the page must show that token before the rest exists
        String content = "gated tool call done";
        browser.findElement(By.id("message")).sendKeys(content);
        browser.findElement(By.id("send")).click();
        wait.until(
                ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#transcript .assistant"), "gated"));
        WebElement answer = browser.findElement(By.cssSelector("#transcript .assistant"));
        assertThat(answer.getText()).isEqualTo("gated");
        assertThat(answer.getAttribute("class")).contains("streaming");

        gate(content).release(3);
        wait.until(d -> !d.findElement(By.cssSelector("#transcript .assistant"))
                .getAttribute("class")
                .contains("streaming"));
        assertThat(answer.getText()).isEqualTo("gatedtoolcalldone");
        assertThat(browser.findElement(By.id("transcript")).getText()).contains("tool call calculator");

        // a tool run from the tools panel
        browser.findElement(By.cssSelector("details.tools summary")).click();
        browser.findElement(By.id("tool-name")).sendKeys("echo");
        browser.findElement(By.id("tool-params")).sendKeys("{\"text\":\"hi\"}");
        browser.findElement(By.id("run-tool")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("tool-log"), "\"text\":\"hi\""));

        screenshot("chat-tool-call");

        open("memories"); // the list is drawn again on entering: the first button found may be replaced
        waiting().until(d -> {
            d.findElement(By.cssSelector("#memories li[data-memory-id='" + memoryId + "'] .memory-delete"))
                    .click();
            return true;
        });
        wait.until(d -> !d.findElement(By.id("memories")).getText().contains("likes green tea"));
        assertThat(MEMORIES).doesNotContainKey(memoryId);
    }

    @Test
    void providerButtonsAreShownAndTheCallbacksFragmentSignsInOrShowsTheError() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get("about:blank");
        browser.get("http://localhost:" + port + "/console/#error=invalid_id_token");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "could not be verified"));
        WebElement link = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#providers a")));
        assertThat(link.getText()).isEqualTo("Sign in with Keycloak");
        assertThat(link.getAttribute("href"))
                .isEqualTo("http://localhost:" + port + "/api/v1/auth/oidc/keycloak/authorize?redirect=/console/");
        assertThat(browser.getCurrentUrl()).doesNotContain("error=");

        String code = "agc_" + UUID.randomUUID();
        SIGN_IN_CODES.put(code, JWTS.user(UUID.randomUUID()));
        browser.get("about:blank");
        browser.get("http://localhost:" + port + "/console/#code=" + code);
        wait.until(ExpectedConditions.textToBe(By.id("status"), "connected"));
        assertThat(SIGN_IN_CODES).doesNotContainKey(code);
        // the code leaves the address bar (and so the history) at once
        assertThat(browser.getCurrentUrl()).isEqualTo("http://localhost:" + port + "/console/#/agents");
    }

    @Test
    void startAWorkflowAndWatchEachStepsProgressArriveOverTheSocketUntilTheRunIsOver() throws Exception {
        String username = "console-wf-" + UUID.randomUUID().toString().substring(0, 8);
        String token = JWTS.user(UUID.randomUUID());
        ACCOUNTS.put(username, token);
        String workflowId = UUID.randomUUID().toString();
        Semaphore gate = new Semaphore(0);
        // text from the services is data, never markup: the name and an output carry tags
        String name = "square <b>twice</b>";
        WORKFLOWS.put(
                workflowId,
                new StubWorkflow(
                        token,
                        name,
                        List.of(
                                new String[] {"run.started", "{\"status\":\"running\",\"progress\":0.0}"},
                                new String[] {"step.started", "{\"stepId\":\"square\",\"attempt\":1}"},
                                new String[] {"step.succeeded", "{\"stepId\":\"square\",\"attempt\":1,\"output\":49}"},
                                new String[] {"step.started", "{\"stepId\":\"say\",\"attempt\":1}"},
                                new String[] {
                                    "step.succeeded",
                                    "{\"stepId\":\"say\",\"attempt\":1,\"output\":\"<i>7</i> squared\"}"
                                },
                                new String[] {
                                    "run.succeeded",
                                    "{\"status\":\"succeeded\",\"progress\":1.0,\"output\":{\"say\":\"done\"}}"
                                }),
                        1, // every event after run.started waits for a permit
                        gate));
        WORKFLOWS.put(
                UUID.randomUUID().toString(),
                new StubWorkflow(JWTS.user(UUID.randomUUID()), "someone else's", List.of(), 0, new Semaphore(0)));
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

        browser.get("http://localhost:" + port + "/console/");
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys("secret");
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "connected"));
        open("workflows");
        wait.until(d ->
                !new Select(d.findElement(By.id("workflow-id"))).getOptions().isEmpty());
        assertThat(new Select(browser.findElement(By.id("workflow-id"))).getOptions())
                .extracting(WebElement::getText)
                .containsExactly(name); // only the user's own, its name shown as text

        // input that is not JSON starts nothing
        browser.findElement(By.id("workflow-input")).sendKeys("{n: 7");
        browser.findElement(By.id("start-workflow")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("workflow-error"), "not JSON"));
        assertThat(browser.findElements(By.cssSelector("#runs .run"))).isEmpty();

        browser.findElement(By.id("workflow-input")).clear();
        browser.findElement(By.id("workflow-input")).sendKeys("{\"n\": 7}");
        browser.findElement(By.id("start-workflow")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#runs .run .run-status"), "running"));
        String runId = browser.findElement(By.cssSelector("#runs .run")).getAttribute("data-run-id");
        assertThat(RUN_INPUTS.get(runId).path("n").asInt()).isEqualTo(7);
        assertThat(browser.findElements(By.cssSelector("#runs .steps li"))).isEmpty();

        // each event exists only after the page showed the one before it
        gate.release();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#runs li[data-step-id=square]"), "square: running"));
        gate.release();
        wait.until(
                ExpectedConditions.textToBe(By.cssSelector("#runs li[data-step-id=square]"), "square: succeeded → 49"));
        gate.release();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#runs li[data-step-id=say]"), "say: running"));
        gate.release();
        wait.until(ExpectedConditions.textToBe(
                By.cssSelector("#runs li[data-step-id=say]"), "say: succeeded → <i>7</i> squared"));
        assertThat(browser.findElement(By.cssSelector("#runs .run .run-status")).getText())
                .isEqualTo("running"); // run.succeeded has not been written yet
        gate.release();
        wait.until(ExpectedConditions.textToBe(
                By.cssSelector("#runs .run .run-status"), "succeeded ({\"say\":\"done\"})"));

        assertThat(browser.findElement(By.cssSelector("#runs .run")).getText()).contains(name);
        assertThat(browser.findElements(By.cssSelector(".workflows b, .workflows i")))
                .isEmpty();
        assertThat(browser.findElements(By.cssSelector("#runs .steps li")))
                .extracting(WebElement::getText)
                .containsExactly("square: succeeded → 49", "say: succeeded → <i>7</i> squared");
        screenshot("workflow-run");
    }

    /** A run (started elsewhere) whose step {@code stepId} waits for a person; its stream stays open. */
    @Test
    void anInvitationShowsUpWhileTheConsoleIsOpenAndIsAcceptedOrDeclinedThere() throws Exception {
        String username = "console-sessions-" + UUID.randomUUID().toString().substring(0, 8);
        UUID bob = UUID.randomUUID();
        ACCOUNTS.put(username, JWTS.user(bob));
        String alice = JWTS.user(UUID.randomUUID());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        // the session list is re-rendered on every session event: an element found a moment ago may be replaced
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        browser.get("http://localhost:" + port + "/console/");
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys("secret");
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "connected"));
        open("sessions");

        // alice invites bob while his console is open: the invitation appears at once, with its buttons
        String planning = createSession(alice, "plan <b>the trip</b>", bob);
        By accept = By.cssSelector("#sessions li[data-session-id='" + planning + "'] .session-accept");
        wait.until(ExpectedConditions.elementToBeClickable(accept));
        wait.until(ExpectedConditions.textMatches(
                By.cssSelector("#sessions li[data-session-id='" + planning + "']"),
                java.util.regex.Pattern.compile(
                        "^\\Qplan <b>the trip</b> — invited by\\E.*", java.util.regex.Pattern.DOTALL)));
        wait.until(driver -> {
            driver.findElement(accept).click();
            return true;
        });
        wait.until(ExpectedConditions.attributeContains(
                By.cssSelector("#sessions li[data-session-id='" + planning + "']"), "class", "participant"));
        assertThat(browser.findElements(accept)).isEmpty();

        // bob is a participant now: what alice shares reaches his console
        HttpResponse<String> shared = http(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/v1/sessions/" + planning + "/context"))
                .header("Authorization", "Bearer " + alice)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"context\":{\"city\":\"Lyon\"}}")));
        assertThat(shared.statusCode()).isEqualTo(202);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("session-log"), "\"city\":\"Lyon\""));

        // another invitation, declined: it leaves the list and bob never joined
        String other = createSession(alice, "spam", bob);
        By decline = By.cssSelector("#sessions li[data-session-id='" + other + "'] .session-decline");
        wait.until(ExpectedConditions.elementToBeClickable(decline));
        wait.until(driver -> {
            driver.findElement(decline).click();
            return true;
        });
        wait.until(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("#sessions li[data-session-id='" + other + "']")));
        HttpResponse<String> read =
                http(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/sessions/" + other))
                        .header("Authorization", "Bearer " + alice));
        assertThat(JSON.readTree(read.body()).path("participants")).hasSize(1);
        assertThat(JSON.readTree(read.body()).path("invited")).isEmpty();
    }

    private String createSession(String token, String purpose, UUID invitee) throws Exception {
        HttpResponse<String> created =
                http(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/sessions"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                                java.util.Map.of("purpose", purpose, "userIds", List.of(invitee.toString()))))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("id").asString();
    }

    private static HttpResponse<String> http(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static StubRun waitingRun(String token, String stepId) {
        return new StubRun(
                token,
                new CopyOnWriteArrayList<>(List.of(
                        new String[] {"run.started", "{\"status\":\"running\",\"progress\":0.0}"},
                        new String[] {"step.waiting_approval", "{\"stepId\":\"" + stepId + "\"}"})),
                Integer.MAX_VALUE,
                true);
    }

    private static By inRun(String runId, String css) {
        return By.cssSelector("#runs li[data-run-id='" + runId + "'] " + css);
    }

    @Test
    void theRunsListApprovesOrRejectsAWaitingStepWithACommentAndCancelsARunningRun() throws Exception {
        String username = "console-runs-" + UUID.randomUUID().toString().substring(0, 8);
        String token = JWTS.user(UUID.randomUUID());
        ACCOUNTS.put(username, token);
        String workflowId = UUID.randomUUID().toString();
        WORKFLOWS.put(
                workflowId,
                new StubWorkflow(
                        token,
                        "deploy",
                        List.of(
                                new String[] {"run.started", "{\"status\":\"running\",\"progress\":0.0}"},
                                new String[] {"step.started", "{\"stepId\":\"build\",\"attempt\":1}"}),
                        Integer.MAX_VALUE,
                        new Semaphore(0),
                        true));
        // runs started before this page was opened, oldest first: one over, three waiting for a person
        String done = UUID.randomUUID().toString();
        listRun(
                done,
                workflowId,
                new StubRun(
                        token,
                        List.of(
                                new String[] {"run.started", "{\"status\":\"running\",\"progress\":0.0}"},
                                new String[] {"run.succeeded", "{\"status\":\"succeeded\",\"output\":1}"}),
                        Integer.MAX_VALUE,
                        false));
        String toReject = UUID.randomUUID().toString();
        listRun(toReject, workflowId, waitingRun(token, "review"));
        String toApprove = UUID.randomUUID().toString();
        listRun(toApprove, workflowId, waitingRun(token, "publish"));
        // the newest: over the test's cap of 2 watched runs per connection, so listed but not watched at first
        String unwatched = UUID.randomUUID().toString();
        listRun(unwatched, workflowId, waitingRun(token, "sign-off"));
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

        browser.get("http://localhost:" + port + "/console/");
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys("secret");
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "connected"));
        open("workflows");
        wait.until(d -> d.findElements(By.cssSelector("#runs .run")).size() == 4);
        assertThat(browser.findElements(By.cssSelector("#runs .run")))
                .extracting(e -> e.getAttribute("data-run-id"))
                .containsExactly(unwatched, toApprove, toReject, done); // newest first
        assertThat(browser.findElement(inRun(done, ".run-status")).getText()).isEqualTo("succeeded");
        assertThat(browser.findElement(inRun(done, ".run-cancel")).isDisplayed())
                .isFalse();

        // the watched runs replay their events: the waiting step gets its approve / reject controls
        wait.until(
                ExpectedConditions.visibilityOfElementLocated(inRun(toApprove, "li[data-step-id=publish] .approve")));
        wait.until(ExpectedConditions.visibilityOfElementLocated(inRun(toReject, "li[data-step-id=review] .reject")));
        assertThat(browser.findElement(inRun(toApprove, ".run-status")).getText())
                .isEqualTo("waiting_approval");
        // the third is listed with its status and a Watch button, with no steps yet
        wait.until(ExpectedConditions.textToBePresentInElementLocated(inRun(unwatched, ".run-note"), "not watched"));
        assertThat(browser.findElement(inRun(unwatched, ".run-status")).getText())
                .isEqualTo("waiting_approval");
        assertThat(browser.findElement(inRun(unwatched, ".run-watch")).isDisplayed())
                .isTrue();
        assertThat(browser.findElements(inRun(unwatched, ".steps li"))).isEmpty();
        assertThat(RUN_ACTIONS)
                .noneMatch(a -> List.of(toApprove, toReject, unwatched, done).contains(a.runId()));

        // approve with a comment: the stub gets the decision, the run's events then show the step and run succeed
        browser.findElement(inRun(toApprove, ".approval-comment")).sendKeys("looks good");
        browser.findElement(inRun(toApprove, ".approve")).click();
        wait.until(ExpectedConditions.textToBe(
                inRun(toApprove, ".run-status"), "succeeded ({\"approved\":true,\"comment\":\"looks good\"})"));
        assertThat(browser.findElement(inRun(toApprove, "li[data-step-id=publish]"))
                        .getText())
                .isEqualTo("publish: succeeded → {\"approved\":true,\"comment\":\"looks good\"}");
        RunAction approval = RUN_ACTIONS.stream()
                .filter(a -> a.runId().equals(toApprove))
                .findFirst()
                .orElseThrow();
        assertThat(approval.action()).isEqualTo("approval");
        assertThat(approval.stepId()).isEqualTo("publish");
        assertThat(approval.authorization()).isEqualTo("Bearer " + token);
        assertThat(approval.body()).isEqualTo(JSON.readTree("{\"approved\":true,\"comment\":\"looks good\"}"));
        assertThat(browser.findElement(inRun(toApprove, ".run-cancel")).isDisplayed())
                .isFalse();

        // reject with a comment: the step fails with it, and so does the run
        browser.findElement(inRun(toReject, ".approval-comment")).sendKeys("not today");
        browser.findElement(inRun(toReject, ".reject")).click();
        wait.until(ExpectedConditions.textToBe(inRun(toReject, ".run-status"), "failed (not today)"));
        assertThat(browser.findElement(inRun(toReject, "li[data-step-id=review]"))
                        .getText())
                .isEqualTo("review: failed — not today");
        RunAction rejection = RUN_ACTIONS.stream()
                .filter(a -> a.runId().equals(toReject))
                .findFirst()
                .orElseThrow();
        assertThat(rejection.stepId()).isEqualTo("review");
        assertThat(rejection.authorization()).isEqualTo("Bearer " + token);
        assertThat(rejection.body()).isEqualTo(JSON.readTree("{\"approved\":false,\"comment\":\"not today\"}"));

        // with both over, the third can be watched now: its waiting step shows
        browser.findElement(inRun(unwatched, ".run-watch")).click();
        wait.until(
                ExpectedConditions.visibilityOfElementLocated(inRun(unwatched, "li[data-step-id=sign-off] .approve")));
        assertThat(browser.findElement(inRun(unwatched, ".run-note")).getText()).isEmpty();

        // the run moved on elsewhere (another step started): orchestration refuses the decision with 409, the page
        // says so next to the buttons and keeps them usable
        RUNS.get(unwatched).events().add(new String[] {"step.started", "{\"stepId\":\"notify\",\"attempt\":1}"});
        wait.until(ExpectedConditions.textToBe(inRun(unwatched, "li[data-step-id=notify]"), "notify: running"));
        browser.findElement(inRun(unwatched, ".approve")).click();
        wait.until(ExpectedConditions.textToBe(
                inRun(unwatched, ".approval-error"), "Approve failed: Step 'sign-off' is not waiting for approval"));
        assertThat(browser.findElement(inRun(unwatched, ".approve")).isEnabled())
                .isTrue();
        assertThat(RUN_ACTIONS)
                .filteredOn(a -> a.runId().equals(unwatched))
                .singleElement()
                .satisfies(a -> assertThat(a.body()).isEqualTo(JSON.readTree("{\"approved\":true}")));
        assertThat(RUNS.get(unwatched).events().getLast()[0]).isEqualTo("step.started"); // nothing decided

        // a run started here, running: cancel it
        browser.findElement(By.id("start-workflow")).click();
        wait.until(d -> d.findElements(By.cssSelector("#runs .run")).size() == 5);
        String started = browser.findElement(By.cssSelector("#runs .run")).getAttribute("data-run-id");
        wait.until(ExpectedConditions.textToBe(inRun(started, "li[data-step-id=build]"), "build: running"));
        assertThat(browser.findElement(inRun(started, ".run-status")).getText()).isEqualTo("running");
        browser.findElement(inRun(started, ".run-cancel")).click();
        wait.until(ExpectedConditions.textToBe(inRun(started, ".run-status"), "cancelled"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(inRun(started, ".run-cancel")));
        wait.until(ExpectedConditions.textToBe(inRun(started, "li[data-step-id=build]"), "build: cancelled"));
        RunAction cancel = RUN_ACTIONS.stream()
                .filter(a -> a.runId().equals(started))
                .findFirst()
                .orElseThrow();
        assertThat(cancel.action()).isEqualTo("cancel");
        assertThat(cancel.authorization()).isEqualTo("Bearer " + token);
        assertThat(RUNS.get(started).events().getLast()[0]).isEqualTo("run.cancelled");
        // nothing was decided or cancelled that the user did not click
        assertThat(RUN_ACTIONS).filteredOn(a -> a.runId().equals(done)).isEmpty();
        assertThat(RUN_ACTIONS).filteredOn(a -> a.runId().equals(unwatched)).hasSize(1);

        screenshot("workflow-runs");
    }

    @Test
    void scriptInjectedIntoTheConsoleDoesNotRun() throws Exception {
        browser.get("http://localhost:" + port + "/console/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        JavascriptExecutor page = (JavascriptExecutor) browser;
        assertThat(page.executeScript("return typeof window.injected")).isEqualTo("undefined");

        // what an XSS would plant: an inline script, an inline event handler, a javascript: URL
        page.executeScript("const s = document.createElement('script');"
                + "s.textContent = 'window.injected = \\'script\\'';"
                + "document.body.appendChild(s);"
                + "const i = document.createElement('img');"
                + "i.setAttribute('onerror', 'window.injected = \\'handler\\'');"
                + "i.src = 'data:,not-an-image';"
                + "document.body.appendChild(i);"
                + "const a = document.createElement('a');"
                + "a.id = 'injected-link'; a.href = 'javascript:void(window.injected = 1)'; a.textContent = 'x';"
                + "document.body.appendChild(a);");
        browser.findElement(By.id("injected-link")).click();
        Thread.sleep(500);

        assertThat(page.executeScript("return typeof window.injected")).isEqualTo("undefined");
    }
}
