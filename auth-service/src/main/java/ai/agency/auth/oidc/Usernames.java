package ai.agency.auth.oidc;

import java.text.Normalizer;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The username of an account a provider sign-in creates: the provider's suggestion (preferred_username, GitHub's
 * login, else the email's local part), reduced to the platform's rule (3-32 of {@code [a-zA-Z0-9_.-]}).
 */
final class Usernames {

    static final int MAX = 32;

    private Usernames() {}

    /** The base name; {@code candidate(base, n)} gives the n-th alternative when it is taken. */
    static String base(@Nullable String suggestion, @Nullable String email) {
        String source = suggestion;
        if ((source == null || source.isBlank()) && email != null && email.contains("@")) {
            source = email.substring(0, email.indexOf('@'));
        }
        if (source == null) {
            source = "";
        }
        String ascii = Normalizer.normalize(source, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        String cleaned =
                ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]+", "_").replaceAll("^[_.-]+|[_.-]+$", "");
        if (cleaned.length() > MAX - 5) {
            cleaned = cleaned.substring(0, MAX - 5);
        }
        if (cleaned.length() < 3) {
            cleaned = ("user_" + cleaned).replaceAll("_$", "");
        }
        return cleaned;
    }

    /** The base itself first, then {@code base-2}, {@code base-3}, …: always within 32 characters. */
    static String candidate(String base, int attempt) {
        return attempt <= 1 ? base : base + "-" + attempt;
    }
}
