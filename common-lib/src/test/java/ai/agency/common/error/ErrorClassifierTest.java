package ai.agency.common.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;

class ErrorClassifierTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "400, VALIDATION",
        "401, AUTHENTICATION",
        "403, AUTHORIZATION",
        "404, NOT_FOUND",
        "409, CONFLICT",
        "429, RATE_LIMIT",
        "500, INTERNAL",
        "502, NETWORK",
        "503, SERVICE_UNAVAILABLE",
        "504, NETWORK"
    })
    void statusesMapToTheirErrorClass(int status, ErrorType expected) {
        assertThat(ErrorClassifier.classify(HttpStatusCode.valueOf(status))).isEqualTo(expected);
    }

    @Test
    void connectFailureInsideResourceAccessIsServiceUnavailable() {
        var failure = new ResourceAccessException("I/O error", new ConnectException("Connection refused"));

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
        assertThat(ErrorClassifier.isRecoverable(failure)).isTrue();
    }

    @Test
    void aCommitCutByADatabaseRestartWhoseRollbackFailedTooIsServiceUnavailable() {
        // what memory-service threw when PostgreSQL was restarted under writes (chaos scenario db-restart): the commit
        // met "terminating connection due to administrator command", the rollback a connection HikariCP had closed
        var commit = new org.springframework.dao.DataAccessResourceFailureException(
                "JDBC commit",
                new java.sql.SQLException("FATAL: terminating connection due to administrator command", "57P01"));
        var rollback = new org.springframework.transaction.TransactionSystemException(
                "JDBC rollback failed", new java.sql.SQLException("Connection is closed"));
        rollback.initApplicationException(commit);

        assertThat(ErrorClassifier.classify(rollback)).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
        assertThat(ErrorClassifier.classify(new IllegalStateException("wrapped", rollback)))
                .isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
    }

    @Test
    void aRollbackFailureAfterAnUnexplainedFailureStaysInternal() {
        var rollback = new org.springframework.transaction.TransactionSystemException(
                "JDBC rollback failed", new java.sql.SQLException("Connection is closed"));
        rollback.initApplicationException(new IllegalStateException("a bug"));

        assertThat(ErrorClassifier.classify(rollback)).isEqualTo(ErrorType.INTERNAL);
    }

    @Test
    void exhaustedConnectionPoolIsServiceUnavailable() {
        // what HikariCP throws when no connection frees up in time, wrapped as Spring's JDBC layer does
        var failure = new IllegalStateException(
                "Could not get JDBC Connection",
                new java.sql.SQLTransientConnectionException(
                        "agency - Connection is not available, request timed out"));

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
        assertThat(ErrorClassifier.isRecoverable(failure)).isTrue();
    }

    @ParameterizedTest(name = "SQLSTATE {0} -> {1}")
    @CsvSource({
        "08001, SERVICE_UNAVAILABLE", // cannot connect (connection refused)
        "08003, SERVICE_UNAVAILABLE", // connection does not exist
        "08006, SERVICE_UNAVAILABLE", // connection failure (reset during a restart)
        "57P01, SERVICE_UNAVAILABLE", // admin shutdown
        "57P02, SERVICE_UNAVAILABLE", // crash shutdown
        "57P03, SERVICE_UNAVAILABLE", // cannot connect now (starting up)
        "53300, SERVICE_UNAVAILABLE", // too many connections
        "23505, INTERNAL", // a unique violation is our bug, not an outage
        "42P01, INTERNAL"
    })
    void aDatabaseDownOrRestartingIsServiceUnavailableWhateverWrapsIt(String sqlState, ErrorType expected) {
        var cause = new java.sql.SQLException("database says no", sqlState);
        // as Spring's JDBC layer wraps it (CannotGetJdbcConnectionException, CannotCreateTransactionException...)
        var failure = new IllegalStateException("Could not open JDBC Connection for transaction", cause);

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(expected);
    }

    @Test
    void aConnectionResetByARestartingDatabaseIsServiceUnavailableNotNetwork() {
        var failure = new IllegalStateException(
                "An I/O error occurred while sending to the backend",
                new java.sql.SQLException("I/O error", "08006", new IOException("Connection reset")));

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
    }

    @Test
    void aClosedConnectionIsServiceUnavailable() {
        var failure = new RuntimeException(new java.sql.SQLNonTransientConnectionException("connection closed"));

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
    }

    @Test
    void socketTimeoutIsNetwork() {
        assertThat(ErrorClassifier.classify(new SocketTimeoutException("Read timed out")))
                .isEqualTo(ErrorType.NETWORK);
    }

    @Test
    void timeoutInsideResourceAccessIsNetworkNotUnavailable() {
        var failure = new ResourceAccessException("I/O error", new HttpTimeoutException("request timed out"));

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.NETWORK);
    }

    @Test
    void socketTimeoutDeepInACauseChainIsNetwork() {
        var failure = new IllegalStateException("outer", new RuntimeException(new SocketTimeoutException()));

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.NETWORK);
    }

    @Test
    void openCircuitIsServiceUnavailable() {
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("downstream");
        breaker.transitionToOpenState();

        CallNotPermittedException failure = CallNotPermittedException.createCallNotPermittedException(breaker);

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
        assertThat(ErrorClassifier.isRecoverable(failure)).isTrue();
    }

    @Test
    void fullBulkheadIsResourceExhausted() {
        BulkheadFullException failure =
                BulkheadFullException.createBulkheadFullException(Bulkhead.ofDefaults("downstream"));

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.RESOURCE_EXHAUSTED);
        assertThat(ErrorClassifier.isRecoverable(failure)).isTrue();
    }

    @Test
    void agencyExceptionKeepsItsOwnType() {
        assertThat(ErrorClassifier.classify(AgencyException.conflict("taken"))).isEqualTo(ErrorType.CONFLICT);
        assertThat(ErrorClassifier.classify(AgencyException.notFound("Memory", 7)))
                .isEqualTo(ErrorType.NOT_FOUND);
        assertThat(ErrorClassifier.classify(new RateLimitedException("slow down", 5)))
                .isEqualTo(ErrorType.RATE_LIMIT);
    }

    @Test
    void agencyExceptionWinsOverTheCauseItWraps() {
        var failure = AgencyException.unavailable("memory is down", new SocketTimeoutException());

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
    }

    @Test
    void unknownRuntimeExceptionIsInternalAndNotRecoverable() {
        var failure = new IllegalStateException("boom");

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.INTERNAL);
        assertThat(ErrorClassifier.isRecoverable(failure)).isFalse();
    }

    @Test
    void downstreamResponseExceptionsAreClassifiedByTheirStatus() {
        assertThat(ErrorClassifier.classify(HttpServerErrorException.create(
                        HttpStatus.SERVICE_UNAVAILABLE, "Service Unavailable", null, null, null)))
                .isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
        assertThat(ErrorClassifier.classify(
                        HttpClientErrorException.create(HttpStatus.NOT_FOUND, "Not Found", null, null, null)))
                .isEqualTo(ErrorType.NOT_FOUND);
    }

    @Test
    void securityExceptionsAreAuthorizationAndAuthentication() {
        assertThat(ErrorClassifier.classify(new AccessDeniedException("no"))).isEqualTo(ErrorType.AUTHORIZATION);
        assertThat(ErrorClassifier.classify(new BadCredentialsException("no"))).isEqualTo(ErrorType.AUTHENTICATION);
    }

    @Test
    void plainIoFailureIsNetwork() {
        assertThat(ErrorClassifier.classify(new IOException("connection reset")))
                .isEqualTo(ErrorType.NETWORK);
    }

    @Test
    void onlyTransientClassesAreRecoverable() {
        assertThat(ErrorType.values())
                .filteredOn(ErrorType::recoverable)
                .containsExactlyInAnyOrder(
                        ErrorType.RATE_LIMIT,
                        ErrorType.RESOURCE_EXHAUSTED,
                        ErrorType.SERVICE_UNAVAILABLE,
                        ErrorType.NETWORK);
    }

    @Test
    void aCircularCauseChainIsWalkedOnlyOnce() {
        // Throwable.initCause allows A -> B -> A; the JDK's own printStackTrace guards against such cycles.
        // The counter stops the loop so that a classifier without a guard fails this test instead of hanging.
        AtomicInteger visits = new AtomicInteger();
        CyclicException first = new CyclicException(visits);
        CyclicException second = new CyclicException(visits);
        first.next = second;
        second.next = first;

        assertThat(ErrorClassifier.classify(first)).isEqualTo(ErrorType.INTERNAL);
        assertThat(visits.get()).as("getCause() calls").isLessThan(20);
    }

    private static final class CyclicException extends RuntimeException {

        private final AtomicInteger visits;
        private Throwable next;

        CyclicException(AtomicInteger visits) {
            super("cyclic");
            this.visits = visits;
        }

        @Override
        public synchronized Throwable getCause() {
            return visits.incrementAndGet() > 10_000 ? null : next;
        }
    }
}
