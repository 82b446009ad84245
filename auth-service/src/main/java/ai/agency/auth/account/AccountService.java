package ai.agency.auth.account;

import ai.agency.auth.AuthProperties;
import ai.agency.auth.token.TokenService;
import ai.agency.common.error.AgencyException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Registration and credential checks. */
@Service
public class AccountService {

    private final UserRepository users;
    private final TokenService tokens;
    private final PasswordEncoder passwords;
    /** Checked when the user does not exist, so a login takes about as long either way. */
    private final String dummyHash;

    public AccountService(UserRepository users, TokenService tokens, AuthProperties properties) {
        this.users = users;
        this.tokens = tokens;
        this.passwords = new BCryptPasswordEncoder(properties.bcryptCost());
        this.dummyHash = passwords.encode("not-a-real-password-" + UUID.randomUUID());
    }

    @Transactional
    public UserAccount register(String username, String email, String password, List<String> roles) {
        if (users.existsByUsernameOrEmail(username, email)) {
            throw AgencyException.conflict("That username or email is already registered");
        }
        UUID id = UUID.randomUUID();
        if (!users.insert(id, username, email, passwords.encode(password), roles)) {
            throw AgencyException.conflict("That username or email is already registered");
        }
        return users.findById(id).orElseThrow();
    }

    public TokenService.TokenPair login(String username, String password) {
        Optional<UserAccount> user = users.findByUsername(username);
        boolean matches =
                passwords.matches(password, user.map(UserAccount::passwordHash).orElse(dummyHash));
        if (user.isEmpty() || !matches) {
            throw AgencyException.unauthenticated("Wrong username or password");
        }
        return tokens.issue(user.get());
    }

    @Transactional(noRollbackFor = AgencyException.class)
    public TokenService.TokenPair refresh(String refreshToken) {
        TokenService.RefreshResult result = tokens.refresh(refreshToken);
        UserAccount user = users.findById(result.userId())
                .orElseThrow(() -> AgencyException.unauthenticated("The account no longer exists"));
        return new TokenService.TokenPair(
                tokens.accessToken(user), result.nextRefreshToken(), "Bearer", tokens.accessTokenTtlSeconds());
    }

    public UserAccount get(UUID id) {
        return users.findById(id).orElseThrow(() -> AgencyException.notFound("user", id));
    }
}
