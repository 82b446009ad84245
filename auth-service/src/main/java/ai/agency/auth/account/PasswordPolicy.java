package ai.agency.auth.account;

import ai.agency.common.error.AgencyException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * What a new password must not be, as NIST SP 800-63B (5.1.1.2) asks of a verifier besides its length: one of the
 * most common passwords of breach corpora (shipped as {@code passwords/common-passwords.txt}), such a password with
 * digits or symbols around it ({@code Password123!}), one repeated character or two alternating ones, a run of
 * consecutive keys or letters ({@code 1234567890}, {@code abcdefghij}), or the account's own username. Checked on
 * sign-up, password change and reset.
 */
@Component
public class PasswordPolicy {

    static final String LIST = "passwords/common-passwords.txt";
    private static final String KEYBOARD_ROWS = "1234567890 qwertyuiop asdfghjkl zxcvbnm abcdefghijklmnopqrstuvwxyz";

    private final Set<String> common;

    public PasswordPolicy() {
        this.common = load();
    }

    /** Throws a 400 problem naming {@code field} when the password is too easy to guess. */
    public void check(String field, String password, @Nullable String username) {
        String why = weakness(password, username);
        if (why != null) {
            throw AgencyException.invalidField(field, why);
        }
    }

    /** Why the password is refused, or null when it is not. */
    @Nullable
    String weakness(String password, @Nullable String username) {
        String lower = password.toLowerCase(Locale.ROOT);
        if (common.contains(lower)) {
            return "is one of the most common passwords; choose one nobody else would";
        }
        String stem = lower.replaceAll("^[\\d\\W_]+", "").replaceAll("[\\d\\W_]+$", "");
        if (!stem.isEmpty() && common.contains(stem)) {
            return "is a common password with digits or symbols added; choose one nobody else would";
        }
        if (lower.chars().distinct().count() <= 2) {
            return "repeats one or two characters; choose one nobody else would";
        }
        if (isRun(lower)) {
            return "is a run of consecutive keys or letters; choose one nobody else would";
        }
        if (username != null && username.length() >= 3 && lower.contains(username.toLowerCase(Locale.ROOT))) {
            return "must not contain the username";
        }
        return null;
    }

    /** True when every character follows the one before it on a keyboard row or in the alphabet, either way. */
    private static boolean isRun(String lower) {
        String forward = KEYBOARD_ROWS;
        String backward = new StringBuilder(KEYBOARD_ROWS).reverse().toString();
        String stripped = lower.replaceAll("[^a-z0-9]", "");
        return stripped.length() >= 6
                && stripped.length() >= lower.length() - 2
                && (forward.contains(stripped) || backward.contains(stripped) || repeatsARun(stripped));
    }

    /** "1234512345", "abcabcabcabc": a short run said again. */
    private static boolean repeatsARun(String s) {
        for (int size = 3; size <= s.length() / 2; size++) {
            String unit = s.substring(0, size);
            if ((KEYBOARD_ROWS.contains(unit)
                            || new StringBuilder(KEYBOARD_ROWS)
                                    .reverse()
                                    .toString()
                                    .contains(unit))
                    && unit.repeat(s.length() / size + 1).startsWith(s)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> load() {
        Set<String> words = new HashSet<>();
        try (InputStream in = PasswordPolicy.class.getClassLoader().getResourceAsStream(LIST)) {
            if (in == null) {
                throw new IllegalStateException(LIST + " is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                String word = line.strip();
                if (!word.isEmpty() && !word.startsWith("#")) {
                    words.add(word.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + LIST, e);
        }
        return Set.copyOf(words);
    }
}
