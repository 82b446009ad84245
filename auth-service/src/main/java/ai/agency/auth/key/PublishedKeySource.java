package ai.agency.auth.key;

import com.nimbusds.jose.RemoteKeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;

/**
 * The published signing keys as auth-service's own token verifier sees them: read from the database for each token
 * not yet verified (verified tokens are cached in front of it), so a key that leaves the set is refused at once.
 *
 * <p>When the database cannot be read (down, or every pooled connection busy), the last keys read still verify
 * tokens — safe, because keys only ever leave the set after the last token they signed has expired, and expiry is
 * checked on its own. With no keys read yet, the failure is a {@link RemoteKeySourceException}: Spring Security
 * answers it with a 503 ("tokens cannot be checked right now"), not with the 401 that told a client holding a
 * perfectly valid token to sign in again — which the previous inline source did, as a database error was taken for a
 * bad token.
 */
final class PublishedKeySource implements JWKSource<SecurityContext> {

    private final SigningKeys signingKeys;
    private volatile @Nullable JWKSet lastRead;

    PublishedKeySource(SigningKeys signingKeys) {
        this.signingKeys = signingKeys;
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws RemoteKeySourceException {
        try {
            JWKSet read = read();
            lastRead = read;
            return selector.select(read);
        } catch (DataAccessException e) {
            JWKSet known = lastRead;
            if (known != null) {
                return selector.select(known);
            }
            throw new RemoteKeySourceException("the signing keys cannot be read: " + e.getMessage(), e);
        }
    }

    private JWKSet read() {
        List<String> kids = new ArrayList<>();
        List<ECPublicKey> published = signingKeys.publishedKeys(kids);
        List<JWK> jwks = new ArrayList<>();
        for (int i = 0; i < published.size(); i++) {
            jwks.add(new ECKey.Builder(Curve.P_256, published.get(i))
                    .keyID(kids.get(i))
                    .build());
        }
        return new JWKSet(jwks);
    }
}
