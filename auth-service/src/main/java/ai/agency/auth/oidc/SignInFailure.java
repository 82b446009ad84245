package ai.agency.auth.oidc;

import org.jspecify.annotations.Nullable;

/**
 * A provider sign-in that cannot go on: the callback answers with a redirect to the console carrying {@code code} in
 * its fragment ({@code #error=<code>}), never with a 500 or a token. {@code reason} (for the audit log and the
 * service's log, never shown to the browser) says what exactly failed.
 */
class SignInFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;

    SignInFailure(String code, String reason) {
        this(code, reason, null);
    }

    SignInFailure(String code, String reason, @Nullable Throwable cause) {
        super(reason, cause);
        this.code = code;
    }

    /** The short code the console shows: invalid_state, provider_error, code_rejected, invalid_id_token, … */
    String code() {
        return code;
    }
}
