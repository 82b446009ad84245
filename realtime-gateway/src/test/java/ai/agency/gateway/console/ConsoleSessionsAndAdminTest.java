package ai.agency.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.gateway.ConsoleStubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * The Sessions view (a session started with an invitation, context shared both ways, live) and the Admin view (only
 * for admins: roles changed, audit events), in Chromium against the real gateway's sessions and stub services.
 */
class ConsoleSessionsAndAdminTest extends ConsoleBrowserSupport {

    @Test
    void startASessionInviteSomeoneAndShareContextBothWays() throws Exception {
        String username = "host-" + UUID.randomUUID().toString().substring(0, 8);
        UUID bob = UUID.randomUUID();
        String bobToken = JWTS.user(bob);
        ACCOUNTS.put(username, JWTS.user(UUID.randomUUID()));
        signIn(username, "secret");
        open("sessions");

        browser.findElement(By.id("session-purpose")).sendKeys("plan <i>Oslo</i>");
        browser.findElement(By.id("session-invitees")).sendKeys(bob.toString());
        browser.findElement(By.id("create-session")).click();
        By item = By.xpath("//ul[@id='sessions']/li[starts-with(., 'plan <i>Oslo</i>')]");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(item));
        String sessionId = browser.findElement(item).getAttribute("data-session-id");

        // bob was invited, accepts through the API: the host's console hears of it
        assertThat(call("GET", "/api/v1/sessions", bobToken, null).toString()).contains(sessionId);
        call("POST", "/api/v1/sessions/" + sessionId + "/join", bobToken, "{}");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("session-log"), "session.joined"));

        // the host shares context from the form; it is the session's for bob to read
        waiting()
                .until(d -> new Select(d.findElement(By.id("share-session")))
                        .getFirstSelectedOption()
                        .getAttribute("value")
                        .equals(sessionId));
        browser.findElement(By.id("share-context")).sendKeys("{\"city\": \"Oslo\"}");
        browser.findElement(By.id("share")).click();
        waiting()
                .until(d -> call("GET", "/api/v1/sessions/" + sessionId, bobToken, null)
                        .path("context")
                        .path("city")
                        .asString("")
                        .equals("Oslo"));
        // what is not JSON is not sent
        browser.findElement(By.id("share-context")).clear();
        browser.findElement(By.id("share-context")).sendKeys("{city");
        browser.findElement(By.id("share")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("share-error"), "not JSON"));

        // and what bob shares arrives live
        call("POST", "/api/v1/sessions/" + sessionId + "/context", bobToken, "{\"context\":{\"hotel\":\"Grand\"}}");
        waiting()
                .until(ExpectedConditions.textToBePresentInElementLocated(
                        By.id("session-log"),
                        "context from " + bob.toString().substring(0, 8) + ": {\"hotel\":\"Grand\"}"));
    }

    @Test
    void onlyAnAdminSeesTheAdminViewWhereRolesChangeAuditEventsAndAnyUsersUsageShow() {
        String user = "plain-" + UUID.randomUUID().toString().substring(0, 8);
        ACCOUNTS.put(user, JWTS.user(UUID.randomUUID()));
        signIn(user, "secret");
        assertThat(browser.findElement(By.id("nav-admin")).isDisplayed()).isFalse();
        js("location.hash = '#/admin'");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("view-agents"))); // sent home
        assertThat(browser.findElement(By.id("view-admin")).isDisplayed()).isFalse();

        String admin = "root-" + UUID.randomUUID().toString().substring(0, 8);
        ACCOUNTS.put(admin, JWTS.admin(UUID.randomUUID()));
        signIn(admin, "secret");
        open("admin");
        By bob = By.cssSelector("#admin-users li[data-user-id=u-2]");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(bob));
        browser.findElement(By.cssSelector("#admin-users li[data-user-id=u-2] input[value=viewer]"))
                .click();
        browser.findElement(By.cssSelector("#admin-users li[data-user-id=u-2] input[value=user]"))
                .click();
        browser.findElement(By.cssSelector("#admin-users li[data-user-id=u-2] .roles-save"))
                .click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(bob, "saved"));
        assertThat(ConsoleStubs.ROLE_CHANGES.get("u-2").toString()).isEqualTo("[\"viewer\"]");
        assertThat(browser.findElement(By.id("audit")).getText()).contains("login.succeeded · u-2");

        // an admin's usage view can show any user's days
        String today = java.time.LocalDate.now().toString();
        ConsoleStubs.USAGE.put("user:u-2", "[{\"date\":\"" + today + "\",\"turns\":7}]");
        open("usage");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("usage-user")));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("usage-metric"))).selectByValue("turns");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("usage-user"))).selectByVisibleText("bob");
        waiting()
                .until(ExpectedConditions.presenceOfElementLocated(
                        By.cssSelector("#usage-chart g.bar[data-value='7']")));
        assertThat(ConsoleStubs.ADMIN_USAGE_QUERIES).anyMatch(q -> q.contains("userId=u-2") && q.contains("from="));
        assertThat(browser.findElement(By.id("usage-caption")).getText()).contains("7 in 1 days");
    }

    private JsonNode call(String method, String path, String token, String body) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                    .header("Authorization", "Bearer " + token)
                                    .header("Content-Type", "application/json")
                                    .method(
                                            method,
                                            body == null
                                                    ? HttpRequest.BodyPublishers.noBody()
                                                    : HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
            return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
