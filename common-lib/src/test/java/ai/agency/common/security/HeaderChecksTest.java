package ai.agency.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/** The regex-free header checks against the patterns of Spring Security's defaults, input by input. */
class HeaderChecksTest {

    /** StrictHttpFirewall's patterns for header names and values. */
    static final Pattern NAMES = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");

    static final Pattern VALUES = Pattern.compile("[\\p{IsAssigned}&&[[^\\p{IsControl}]||\\t]]*");

    static final List<String> EDGES = List.of(
            "",
            "Bearer abc",
            "tab\there",
            "new\nline",
            "cr\rhere",
            "nul\0",
            "del\u007f",
            "c1\u0085control",
            "bidi\u202eoverride",
            "unassigned\u0378",
            "emoji \uD83D\uDE00 pair",
            "lone \uD800 high",
            "lone \uDC00 low",
            "private\uE000use",
            "nbsp\u00a0",
            "\uFFFF");

    @Test
    void headerNamesAndValuesAreJudgedExactlyAsTheFirewallsPatternsJudgeThem() {
        for (String s : EDGES) {
            assertThat(HeaderChecks.isAllowedHeaderName(s))
                    .as(s)
                    .isEqualTo(NAMES.matcher(s).matches());
            assertThat(HeaderChecks.isAllowedHeaderValue(s))
                    .as(s)
                    .isEqualTo(VALUES.matcher(s).matches());
        }
        Random random = new Random(42);
        int rejected = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder s = new StringBuilder();
            for (int i = random.nextInt(6); i > 0; i--) {
                int pick = random.nextInt(4);
                int cp = switch (pick) {
                    case 0 -> random.nextInt(0x100); // ASCII and Latin-1, controls included
                    case 1 -> random.nextInt(0x10000); // the BMP, lone surrogates and unassigned included
                    case 2 -> random.nextInt(0x110000); // anything
                    default -> 0x20 + random.nextInt(0x5f); // printable ASCII
                };
                s.appendCodePoint(cp);
            }
            String value = s.toString();
            boolean name = NAMES.matcher(value).matches();
            assertThat(HeaderChecks.isAllowedHeaderName(value)).as(value).isEqualTo(name);
            assertThat(HeaderChecks.isAllowedHeaderValue(value))
                    .as(value)
                    .isEqualTo(VALUES.matcher(value).matches());
            rejected += name ? 0 : 1;
        }
        assertThat(rejected).as("the random inputs include rejected ones").isGreaterThan(10_000);
    }

    @Test
    void bearerTokensAreResolvedAsTheDefaultResolverDoesIncludingItsErrors() {
        BearerTokenResolver fast = HeaderChecks.bearerTokenResolver();
        DefaultBearerTokenResolver reference = new DefaultBearerTokenResolver();
        List<String> headers = List.of(
                "Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
                "bearer abc-._~+/def==",
                "BEARER x",
                "Bearer agk_abcdef0123456789",
                "Basic dXNlcjpwYXNz");
        for (String header : headers) {
            for (String method : List.of("GET", "POST")) {
                MockHttpServletRequest request = new MockHttpServletRequest(method, "/api/v1/users/me");
                request.addHeader("Authorization", header);
                assertThat(fast.resolve(request)).as(method + " " + header).isEqualTo(reference.resolve(request));
            }
        }
        assertThat(fast.resolve(new MockHttpServletRequest("GET", "/x"))).isNull();

        for (String malformed :
                List.of("Bearer ", "Bearer a b", "Bearer a=b", "Bearer tok\n", "Bearer  two", "Bearer é")) {
            MockHttpServletRequest request = new MockHttpServletRequest("GET", "/x");
            request.addHeader("Authorization", malformed);
            assertThatThrownBy(() -> reference.resolve(request)).isInstanceOf(OAuth2AuthenticationException.class);
            assertThatThrownBy(() -> fast.resolve(request))
                    .as(malformed)
                    .isInstanceOf(OAuth2AuthenticationException.class)
                    .hasMessageContaining("malformed");
        }

        // a token in the header and another as access_token parameter (query or form): whatever the default does
        MockHttpServletRequest query = new MockHttpServletRequest("GET", "/x");
        query.setQueryString("access_token=other");
        query.addParameter("access_token", "other");
        query.addHeader("Authorization", "Bearer abc");
        MockHttpServletRequest form = new MockHttpServletRequest("POST", "/x");
        form.setContentType("application/x-www-form-urlencoded");
        form.addParameter("access_token", "other");
        form.addHeader("Authorization", "Bearer abc");
        for (MockHttpServletRequest request : List.of(query, form)) {
            assertThat(outcome(fast, request)).isEqualTo(outcome(reference, request));
        }
    }

    /** The token, or the error's description. */
    private static String outcome(BearerTokenResolver resolver, MockHttpServletRequest request) {
        try {
            return "token " + resolver.resolve(request);
        } catch (OAuth2AuthenticationException e) {
            return "error " + e.getError().getDescription();
        }
    }
}
