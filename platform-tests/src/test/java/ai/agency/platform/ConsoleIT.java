package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console against the real platform (the six jars), in Debian's headless Chromium: a newcomer signs up, signs
 * in, creates an agent with the calculator, chats with it (the local provider calls the real tool), has it remember
 * something and finds the memory, and runs a workflow whose approval step they approve on its graph. Without Chromium
 * it is skipped on a developer machine and fails in CI ({@code CI=true}).
 */
class ConsoleIT {

    static final String CHROMIUM = System.getenv().getOrDefault("AGENCY_CHROMIUM", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("AGENCY_CHROMEDRIVER", "/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static WebDriver browser;
    private static URI gateway;

    @BeforeAll
    static void start() throws Exception {
        if (!(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute())) {
            String message = "Chromium and chromedriver are needed: apt-get install chromium chromium-driver";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            Assumptions.abort(message);
        }
        gateway = RunningPlatform.get().gateway();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                "--user-data-dir=" + Files.createTempDirectory("agency-chromium-"));
        browser = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File(CHROMEDRIVER))
                        .usingAnyFreePort()
                        .build(),
                options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void signUpCreateAnAgentChatWithAToolCallFindTheMemoryAndApproveAWorkflowStep() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        String username = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String password = "password-" + UUID.randomUUID();

        browser.get(gateway + "/console/");
        browser.findElement(By.id("signup-username")).sendKeys(username);
        browser.findElement(By.id("signup-email")).sendKeys(username + "@example.com");
        browser.findElement(By.id("signup-password")).sendKeys(password);
        browser.findElement(By.id("signup")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("signup-result"), "created"));
        browser.findElement(By.id("password")).sendKeys(password, Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("status"), "connected"));

        // an agent with the calculator from the real registry
        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("input[name=agent-tool][value=calculator]")));
        browser.findElement(By.id("agent-name")).sendKeys("Helper");
        browser.findElement(By.id("agent-prompt")).sendKeys("You help.");
        browser.findElement(By.cssSelector("input[name=agent-tool][value=calculator]"))
                .click();
        browser.findElement(By.cssSelector("input[name=agent-tool][value=add_memory]"))
                .click();
        browser.findElement(By.id("save-agent")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("agent-result"), "Saved Helper"));

        // chat with it: the local provider calls the real calculator, the answer streams in
        browser.findElement(By.id("chat-with-agent")).click();
        wait.until(d -> new Select(d.findElement(By.id("chat-agent")))
                .getFirstSelectedOption()
                .getText()
                .equals("Helper"));
        browser.findElement(By.id("message")).sendKeys("What is 17 * 23?", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#transcript .assistant:not(.streaming)"), "391"));
        assertThat(browser.findElement(By.id("transcript")).getText()).contains("tool call calculator");
        browser.findElement(By.id("new-conversation")).click();
        browser.findElement(By.id("message")).sendKeys("Remember that my favourite colour is teal.", Keys.ENTER);
        wait.until(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("#transcript .assistant:not(.streaming)")));
        shot("platform-chat");

        // the memory it made, found by the hybrid search
        browser.findElement(By.cssSelector("#nav a[data-view=memories]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("view-memories")));
        browser.findElement(By.id("memory-query")).sendKeys("favourite colour", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("memories-heading"), "results for “favourite colour”"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("memories"), "teal"));
        assertThat(browser.findElement(By.cssSelector("#memories .memory-score"))
                        .getText())
                .startsWith("score ");

        // a workflow made through the API, run and approved in the console
        String token = Api.login(gateway, username, password);
        Api.Reply workflow = Api.send(
                gateway,
                "POST",
                "/api/v1/workflows",
                token,
                "{\"name\":\"sum and sign\",\"steps\":["
                        + "{\"id\":\"sum\",\"type\":\"tool\",\"input\":{\"tool\":\"calculator\",\"parameters\":"
                        + "{\"expression\":\"6*7\"}}},"
                        + "{\"id\":\"sign-off\",\"type\":\"approval\",\"input\":{},\"dependsOn\":[\"sum\"]}]}",
                "application/json");
        assertThat(workflow.status()).as(workflow.body()).isEqualTo(201);
        browser.findElement(By.cssSelector("#nav a[data-view=workflows]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#workflow-graph g.node[data-step-id=sum]")));
        browser.findElement(By.id("start-workflow")).click();
        By signOff = By.cssSelector("#workflow-graph g.node[data-step-id=sign-off]");
        wait.until(ExpectedConditions.attributeContains(signOff, "class", "waiting_approval"));
        assertThat(browser.findElement(By.cssSelector("#workflow-graph g.node[data-step-id=sum]"))
                        .getAttribute("class"))
                .isEqualTo("node succeeded");
        browser.findElement(By.cssSelector("#runs li[data-step-id=sign-off] .approve"))
                .click();
        wait.until(ExpectedConditions.attributeToBe(signOff, "class", "node succeeded"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#runs .run .run-status"), "succeeded"));
        assertThat(browser.findElement(By.id("run-timeline")).getText()).contains("run.succeeded");
        shot("platform-workflow");
    }

    private static void shot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
    }
}
