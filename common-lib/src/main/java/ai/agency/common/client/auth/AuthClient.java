package ai.agency.common.client.auth;

import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.GetExchange;

/**
 * The part of auth-service's API that other services call (orchestration's personalisation of a chat turn), declared
 * once. Create it with {@code clients.create("auth", AuthClient.class)}; the bearer token is passed explicitly.
 */
public interface AuthClient {

    /** {@code GET /api/v1/users/me}: the caller's account and profile; 404 for a caller without an account. */
    @GetExchange("/api/v1/users/me")
    UserProfile me(@RequestHeader(HttpHeaders.AUTHORIZATION) String bearer);
}
