package ai.agency.common.flags;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One feature flag. Off for everyone unless {@code enabled}; when enabled, on for every user who has one of
 * {@code roles}, and for {@code percentage} % of the others, chosen by a stable hash of the flag's key and the user's
 * id (the same user stays in or out while the percentage is unchanged, and raising it only adds users). Without a
 * user, a flag is on only when it is on for everyone (enabled, 100 %, no roles needed).
 *
 * @param key {@code [a-z][a-z0-9._-]{0,63}}
 * @param percentage 0..100
 * @param roles at most {@value #MAX_ROLES} role names, {@code [a-z][a-z0-9_-]{0,31}}
 */
public record FlagRule(String key, boolean enabled, int percentage, List<String> roles, String description) {

    public static final Pattern KEY = Pattern.compile("[a-z][a-z0-9._-]{0,63}");
    public static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    public static final int MAX_ROLES = 16;
    public static final int MAX_DESCRIPTION = 500;

    /** Why a flag came out as it did (an OpenFeature reason). */
    public enum Outcome {
        /** off for everyone */
        DISABLED,
        /** on for everyone */
        STATIC,
        /** the user has one of the roles */
        TARGETING_MATCH,
        /** the user's bucket decided (in or out of the percentage) */
        SPLIT,
        /** no user to target: off unless on for everyone */
        DEFAULT
    }

    /** The answer for one user. */
    public record Evaluation(boolean on, Outcome outcome) {}

    public FlagRule {
        roles = List.copyOf(roles);
        String problem = problem(key, percentage, roles, description);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** What is wrong with these values, naming the field ({@code "percentage must be 0..100"}), or null. */
    public static @Nullable String problem(String key, int percentage, List<String> roles, String description) {
        if (!KEY.matcher(key).matches()) {
            return "key must match " + KEY.pattern();
        }
        if (percentage < 0 || percentage > 100) {
            return "percentage must be 0..100";
        }
        if (roles.size() > MAX_ROLES) {
            return "roles may name at most " + MAX_ROLES + " roles";
        }
        for (String role : roles) {
            if (role == null || !ROLE.matcher(role).matches()) {
                return "roles must match " + ROLE.pattern();
            }
        }
        if (description.length() > MAX_DESCRIPTION) {
            return "description must be at most " + MAX_DESCRIPTION + " characters";
        }
        return null;
    }

    /** The flag for a user ({@code userId} null: nobody in particular) with these roles. */
    public Evaluation evaluate(@Nullable String userId, Set<String> userRoles) {
        if (!enabled) {
            return new Evaluation(false, Outcome.DISABLED);
        }
        if (percentage == 100) {
            return new Evaluation(true, Outcome.STATIC);
        }
        for (String role : roles) {
            if (userRoles.contains(role)) {
                return new Evaluation(true, Outcome.TARGETING_MATCH);
            }
        }
        if (userId == null || userId.isEmpty()) {
            return new Evaluation(false, Outcome.DEFAULT);
        }
        return new Evaluation(bucket(key, userId) < percentage, Outcome.SPLIT);
    }

    /** The user's bucket 0..99 for this flag: SHA-256 of key and user id, so each flag splits users differently. */
    public static int bucket(String key, String userId) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256").digest((key + '\n' + userId).getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (hash[i] & 0xff);
            }
            return (int) Long.remainderUnsigned(value, 100);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
