package ai.agency.auth.oidc;

import ai.agency.common.error.AgencyException;
import org.jspecify.annotations.Nullable;

/**
 * Where the console wants the browser back after a provider sign-in: a path of the console on the platform's own
 * origin, never an absolute URL (no open redirect).
 */
final class RedirectPaths {

    static final String DEFAULT = "/console/";

    private RedirectPaths() {}

    /** The checked path; 400 problem naming {@code redirect} for anything else than a relative console path. */
    static String check(@Nullable String redirect) {
        if (redirect == null || redirect.isEmpty()) {
            return DEFAULT;
        }
        boolean console =
                redirect.equals("/console") || redirect.startsWith("/console/") || redirect.startsWith("/console?");
        if (redirect.length() > 512
                || !console
                || redirect.startsWith("//")
                || redirect.contains("\\")
                || redirect.contains("#")
                || redirect.contains("/../")
                || redirect.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw AgencyException.invalidField(
                    "redirect", "must be a path of the console (starting with /console/), not a URL");
        }
        return redirect;
    }
}
