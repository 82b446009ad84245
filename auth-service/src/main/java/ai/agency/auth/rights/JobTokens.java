package ai.agency.auth.rights;

import ai.agency.auth.account.UserAccount;
import ai.agency.auth.account.UserRepository;
import ai.agency.auth.token.TokenService;
import ai.agency.common.accountdata.AccountData;
import ai.agency.common.error.AgencyException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The tokens of the export and erasure jobs: the user concerned as subject, the current token version (so they
 * outlive the revocation that an erasure's disable publishes), scope {@code account_data} and nothing else, five
 * minutes. Only this component mints that scope; no login and no API key can have it.
 */
@Component
class JobTokens {

    static final Duration LIFETIME = Duration.ofMinutes(5);

    private final UserRepository users;
    private final TokenService tokens;

    JobTokens(UserRepository users, TokenService tokens) {
        this.users = users;
        this.tokens = tokens;
    }

    String mint(UUID userId, String purpose) {
        UserAccount user = users.findById(userId).orElseThrow(() -> AgencyException.notFound("user", userId));
        return tokens.accessToken(
                user.subject(), user.roles(), List.of(AccountData.SCOPE), LIFETIME, Map.of("purpose", purpose));
    }
}
