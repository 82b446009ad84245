package ai.agency.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.gateway.RealtimeTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's headless Chromium driven through chromedriver (Selenium), against the real
 * gateway with stub services behind it. Without Chromium the tests are skipped on a developer machine and fail in CI
 * ({@code CI=true}), where {@code ./platform test} installs it. Also: signing in, opening a view, screenshots, and an
 * axe-core scan (axe.min.js from the npm registry's tarball, fetched once into {@code target/}, never committed).
 */
abstract class ConsoleBrowserSupport extends RealtimeTestSupport {

    static final String CHROMIUM = System.getenv().getOrDefault("AGENCY_CHROMIUM", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("AGENCY_CHROMEDRIVER", "/usr/bin/chromedriver");
    static final String AXE_VERSION = "4.10.3";
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    static WebDriver browser;
    static Path profile;

    @BeforeAll
    static void startBrowser() throws Exception {
        boolean present = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
        if (!present) {
            String message = "Chromium (" + CHROMIUM + ") and chromedriver (" + CHROMEDRIVER + ") are needed for the"
                    + " console's browser test: apt-get install chromium chromium-driver (./platform test does it)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            Assumptions.abort(message);
        }
        profile = Files.createTempDirectory("agency-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    String consoleUrl() {
        return "http://localhost:" + port + "/console/";
    }

    /** Loads the console afresh (signed out) and signs in with the password form. */
    void signIn(String username, String password) {
        browser.get("about:blank");
        browser.get(consoleUrl());
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("status"), "connected"));
    }

    /** Opens a view through its link in the navigation and waits until it shows. */
    void open(String view) {
        browser.findElement(By.cssSelector("#nav a[data-view=" + view + "]")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("view-" + view)));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path shot = SCREENSHOTS.resolve(name + ".png");
        Files.write(shot, ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(shot)).isPositive();
        return shot;
    }

    /** The serious and critical axe-core violations of the page as it is ("rule: target…"), none expected. */
    @SuppressWarnings("unchecked")
    List<String> axeViolations() throws Exception {
        if (!Boolean.TRUE.equals(js("return typeof window.axe === 'object'"))) {
            js(axeSource() + "\n;window.axe = axe;");
        }
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        Object result = ((JavascriptExecutor) browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "axe.run(document, {resultTypes: ['violations']})"
                        + ".then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                        + ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))"
                        + ".catch(e => done(['axe failed: ' + e]));");
        return new ArrayList<>((List<String>) result);
    }

    /** axe.min.js of axe-core from the npm registry's tarball, downloaded once into target/. */
    static synchronized String axeSource() throws Exception {
        Path file = Path.of("target", "axe-core-" + AXE_VERSION, "axe.min.js");
        if (!Files.exists(file)) {
            HttpResponse<InputStream> tarball = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "https://registry.npmjs.org/axe-core/-/axe-core-" + AXE_VERSION + ".tgz"))
                                    .timeout(Duration.ofSeconds(60))
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            assertThat(tarball.statusCode())
                    .as("axe-core from the npm registry")
                    .isEqualTo(200);
            byte[] script = fromTar(new GZIPInputStream(tarball.body()).readAllBytes(), "package/axe.min.js");
            Files.createDirectories(file.getParent());
            Files.write(file, script);
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** One file of a tar archive: 512-byte headers (name at 0, octal size at 124), contents padded to 512. */
    static byte[] fromTar(byte[] tar, String name) {
        int at = 0;
        while (at + 512 <= tar.length && tar[at] != 0) {
            String entry = new String(tar, at, 100, StandardCharsets.UTF_8).replace("\0", "");
            long size = Long.parseLong(
                    new String(tar, at + 124, 12, StandardCharsets.US_ASCII)
                            .replace("\0", "")
                            .trim(),
                    8);
            if (entry.equals(name)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(tar, at + 512, (int) size);
                return out.toByteArray();
            }
            at += 512 + (int) ((size + 511) / 512) * 512;
        }
        throw new IllegalStateException(name + " is not in the tarball");
    }
}
