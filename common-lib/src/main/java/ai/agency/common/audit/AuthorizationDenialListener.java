package ai.agency.common.audit;

/**
 * Receives the authorization denials of this service. The default one ({@link HttpAuditReporter}) queues them for
 * auth-service's audit log; auth-service itself registers one that writes to its own log. Called on the request
 * thread: it must return at once and never throw into the request (the caller guards against it anyway).
 */
@FunctionalInterface
public interface AuthorizationDenialListener {

    void denied(AuthorizationDenial denial);
}
