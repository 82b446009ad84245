package ai.agency.auth.oidc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The browser of a provider sign-in, driven by hand: it follows the 302s one by one (keeping the provider's session
 * cookie), logs in at the provider's form when sent there, and stops at the first redirect to the console. The
 * platform's public URL is the gateway's; the browser reaches auth-service itself in its place.
 */
final class Browser {

    /** The provider's cookies (its session), by name: every server here is on localhost. */
    private final java.util.Map<String, String> cookies = new java.util.concurrent.ConcurrentHashMap<>();

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final String publicUrl;
    private final String authService;

    Browser(String publicUrl, int authServicePort) {
        this.publicUrl = publicUrl;
        this.authService = "http://localhost:" + authServicePort;
    }

    /** Gives the browser a cookie it got elsewhere (the flow cookie of a link flow started with a fetch). */
    void setCookie(String setCookieHeader) {
        String pair = setCookieHeader.split(";", 2)[0];
        int eq = pair.indexOf('=');
        cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }

    /** Delivers a provider's callback URL; answers the console location auth-service redirects to. */
    String deliver(String callbackUrl) {
        HttpResponse<String> response = get(callbackUrl);
        if (response.statusCode() != 302) {
            throw new AssertionError("callback answered " + response.statusCode() + ": " + response.body());
        }
        return response.headers().firstValue("Location").orElseThrow();
    }

    /** One GET, no redirect followed. */
    HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(local(url))).GET());
    }

    /**
     * Follows redirects from {@code url} until one leads to the console, logging in as {@code username} when the
     * provider asks; answers that console location (e.g. {@code /console/#code=…}).
     */
    String signIn(String url, String username, String password) {
        return follow(url, username, password, false);
    }

    /**
     * Follows redirects from {@code url} like {@link #signIn} but stops before the provider's redirect back to the
     * platform: answers that callback URL (with the provider's code and the state), not yet delivered.
     */
    String untilCallback(String url, String username, String password) {
        return follow(url, username, password, true);
    }

    private String follow(String url, String username, String password, boolean stopAtCallback) {
        String next = url;
        for (int hop = 0; hop < 12; hop++) {
            HttpResponse<String> response = get(next);
            String location = response.headers().firstValue("Location").orElse(null);
            if (response.statusCode() != 302 || location == null) {
                throw new AssertionError(
                        "expected a redirect from " + next + ", got " + response.statusCode() + ": " + response.body());
            }
            URI resolved = URI.create(next).resolve(location);
            if (location.startsWith("/console")) {
                return location;
            }
            if (stopAtCallback && resolved.toString().startsWith(publicUrl)) {
                return resolved.toString();
            }
            if (resolved.getPath().equals("/login")) {
                HttpResponse<String> page = get(resolved.toString());
                if (page.statusCode() != 200) {
                    throw new AssertionError("no login page: " + page.statusCode());
                }
                Matcher csrf = CSRF.matcher(page.body());
                String form = "username=" + encode(username) + "&password=" + encode(password)
                        + (csrf.find() ? "&_csrf=" + encode(csrf.group(1)) : "");
                HttpResponse<String> login = send(HttpRequest.newBuilder(resolved)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)));
                String afterLogin = login.headers()
                        .firstValue("Location")
                        .orElseThrow(() -> new AssertionError(
                                "the provider's login answered " + login.statusCode() + ": " + login.body()));
                next = resolved.resolve(afterLogin).toString();
                continue;
            }
            next = resolved.toString();
        }
        throw new AssertionError("too many redirects from " + url);
    }

    /** The URL the provider would send the browser to, made reachable (auth-service in the gateway's place). */
    String local(String url) {
        return url.startsWith(publicUrl) ? authService + url.substring(publicUrl.length()) : url;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            request.header("Accept", "text/html");
            if (!cookies.isEmpty()) {
                request.header(
                        "Cookie",
                        String.join(
                                "; ",
                                cookies.entrySet().stream()
                                        .map(c -> c.getKey() + "=" + c.getValue())
                                        .toList()));
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (String cookie : response.headers().allValues("Set-Cookie")) {
                String pair = cookie.split(";", 2)[0];
                int eq = pair.indexOf('=');
                cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
