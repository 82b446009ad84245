package ai.agency.common.error;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.coyote.BadRequestException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatusCode;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.multipart.MultipartException;

/**
 * Maps a failure (an exception or an HTTP status) to its {@link ErrorType}, and so tells whether trying again may
 * help. Used by the problem handler, the service clients' retry decision, and the chat loop's degradation.
 */
public final class ErrorClassifier {

    private ErrorClassifier() {}

    public static ErrorType classify(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            Throwable original = Transactions.failureBeforeRollback(t);
            if (original != null && seen.add(original)) {
                ErrorType type = classify(original);
                if (type != ErrorType.INTERNAL) {
                    return type;
                }
            }
            ErrorType type = classifyOne(t);
            if (type != null) {
                return type;
            }
        }
        return ErrorType.INTERNAL;
    }

    /**
     * A commit or statement cut off by a database restart ({@code 57P01}, an I/O error) leaves a dead connection, so
     * the rollback that follows fails too, with HikariCP's bare "Connection is closed" (no SQLSTATE). Spring then
     * throws the rollback's {@code TransactionSystemException} and keeps the first failure as its application
     * exception: that one says what happened (a 503), the rollback's says nothing (it was a 500). Spring's transaction
     * classes are on the classpath of the services with a database only, hence the guard.
     */
    private static final class Transactions {

        private static final boolean PRESENT = org.springframework.util.ClassUtils.isPresent(
                "org.springframework.transaction.TransactionSystemException", ErrorClassifier.class.getClassLoader());

        static @Nullable Throwable failureBeforeRollback(Throwable t) {
            return PRESENT ? Present.applicationException(t) : null;
        }

        private static final class Present {
            static @Nullable Throwable applicationException(Throwable t) {
                return t instanceof org.springframework.transaction.TransactionSystemException rollback
                        ? rollback.getApplicationException()
                        : null;
            }
        }
    }

    public static boolean isRecoverable(Throwable failure) {
        return classify(failure).recoverable();
    }

    public static ErrorType classify(HttpStatusCode status) {
        int code = status.value();
        return switch (code) {
            case 400, 405, 406, 411, 413, 414, 415, 422 -> ErrorType.VALIDATION;
            case 401 -> ErrorType.AUTHENTICATION;
            case 403 -> ErrorType.AUTHORIZATION;
            case 404, 410 -> ErrorType.NOT_FOUND;
            case 409, 412 -> ErrorType.CONFLICT;
            case 429 -> ErrorType.RATE_LIMIT;
            case 502, 504 -> ErrorType.NETWORK;
            case 503 -> ErrorType.SERVICE_UNAVAILABLE;
            case 507 -> ErrorType.RESOURCE_EXHAUSTED;
            default -> code >= 500 ? ErrorType.INTERNAL : ErrorType.VALIDATION;
        };
    }

    /**
     * Whether PostgreSQL refused a text the request brought: the NUL character in a {@code text} value (SQLSTATE
     * 22021) or in {@code jsonb} (22P05) — from a query parameter or a free-form JSON value, which the JSON check
     * ({@link ai.agency.common.config.StorableText}) does not see. Nothing was stored; it is the caller's input, a
     * 400.
     */
    public static boolean isUnstorableText(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (refusesText(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean refusesText(Throwable t) {
        return t instanceof SQLException sql
                && ("22021".equals(sql.getSQLState()) || "22P05".equals(sql.getSQLState()));
    }

    /**
     * Whether the database could not be reached or used for a while, not because of the request: the connection
     * pool timed out (HikariCP's "Connection is not available", which Spring wraps in {@code
     * CannotGetJdbcConnectionException} or {@code CannotCreateTransactionException}), the connection failed or was
     * refused (SQLSTATE class 08), the server is shutting down, crashed or is starting (57P01, 57P02, 57P03), or it has
     * no connection slot left (53300). Trying again shortly may succeed: a 503 with {@code Retry-After}.
     */
    private static boolean databaseUnavailable(Throwable t) {
        if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
            return true;
        }
        if (t instanceof SQLException sql && sql.getSQLState() != null) {
            String state = sql.getSQLState();
            return state.startsWith("08")
                    || state.equals("57P01")
                    || state.equals("57P02")
                    || state.equals("57P03")
                    || state.equals("53300");
        }
        return false;
    }

    /**
     * Whether the server could not read the request it was sent: a query string or form with an invalid
     * percent-escape (Tomcat's {@link InvalidParameterException}, whose cause is an {@code IOException} and was taken
     * for a network failure: a 502), a body Tomcat refused ({@link BadRequestException}, also an {@code IOException}:
     * a broken chunked encoding, an unreadable multipart), a multipart body that cannot be parsed. The caller's
     * input, a 400 — checked before the I/O classes that they extend or wrap.
     */
    public static boolean isMalformedRequest(Throwable failure) {
        return anyInChain(failure, ErrorClassifier::malformed);
    }

    /**
     * Whether the request names a character set that this JVM does not know ({@code application/json;
     * charset=bogus}): the converters and Tomcat fail with {@code UnsupportedCharsetException},
     * {@code IllegalCharsetNameException} or {@code UnsupportedEncodingException} — a 415, not a 500.
     */
    public static boolean isUnsupportedCharset(Throwable failure) {
        return anyInChain(
                failure,
                t -> t instanceof UnsupportedCharsetException
                        || t instanceof IllegalCharsetNameException
                        || t instanceof UnsupportedEncodingException);
    }

    private static boolean anyInChain(Throwable failure, java.util.function.Predicate<Throwable> test) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean malformed(Throwable t) {
        return t instanceof InvalidParameterException
                || t instanceof BadRequestException
                || t instanceof MultipartException;
    }

    private static @Nullable ErrorType classifyOne(Throwable t) {
        if (t instanceof AgencyException agency) {
            return agency.errorType();
        }
        if (refusesText(t)) {
            return ErrorType.VALIDATION;
        }
        if (malformed(t)
                || t instanceof UnsupportedCharsetException
                || t instanceof IllegalCharsetNameException
                || t instanceof UnsupportedEncodingException) {
            return ErrorType.VALIDATION;
        }
        if (t instanceof RestClientResponseException response) {
            return classify(response.getStatusCode());
        }
        if (t instanceof CallNotPermittedException) {
            return ErrorType.SERVICE_UNAVAILABLE;
        }
        if (t instanceof BulkheadFullException) {
            return ErrorType.RESOURCE_EXHAUSTED;
        }
        if (t instanceof ConnectException) {
            return ErrorType.SERVICE_UNAVAILABLE;
        }
        if (databaseUnavailable(t)) {
            return ErrorType.SERVICE_UNAVAILABLE;
        }
        if (t instanceof ResourceAccessException && t.getCause() instanceof ConnectException) {
            return ErrorType.SERVICE_UNAVAILABLE;
        }
        if (t instanceof SocketTimeoutException
                || t instanceof HttpTimeoutException
                || t instanceof TimeoutException
                || t instanceof ResourceAccessException
                || t instanceof IOException) {
            return ErrorType.NETWORK;
        }
        if (t instanceof AccessDeniedException) {
            return ErrorType.AUTHORIZATION;
        }
        if (t instanceof AuthenticationException) {
            return ErrorType.AUTHENTICATION;
        }
        return null;
    }
}
