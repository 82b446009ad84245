package ai.agency.common.client;

import ai.agency.common.trace.TraceIds;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;

/** Passes the caller's bearer token and the trace id on to the downstream service. */
class RelayHeadersInterceptor implements ClientHttpRequestInterceptor {

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        HttpHeaders headers = request.getHeaders();
        if (!headers.containsHeader(HttpHeaders.AUTHORIZATION)) {
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (authentication instanceof AbstractOAuth2TokenAuthenticationToken<?> token) {
                headers.setBearerAuth(token.getToken().getTokenValue());
            }
        }
        String traceId = TraceIds.current();
        if (traceId != null) {
            headers.set(TraceIds.REQUEST_ID_HEADER, traceId);
            // the client observation has put in its own span's traceparent already: that one is the parent
            String traceparent = TraceIds.outgoingTraceparent(traceId);
            if (traceparent != null && !headers.containsHeader(TraceIds.TRACEPARENT_HEADER)) {
                headers.set(TraceIds.TRACEPARENT_HEADER, traceparent);
            }
        }
        return execution.execute(request, body);
    }
}
