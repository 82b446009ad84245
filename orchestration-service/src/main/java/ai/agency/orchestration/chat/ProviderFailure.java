package ai.agency.orchestration.chat;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.RateLimitedException;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * What a failed model call means: its class ({@code rate_limit}, {@code authentication}, else
 * {@code service_unavailable}), the provider's HTTP status when it answered, and how long it asked us to wait
 * ({@code Retry-After} or {@code retry-after-ms}). Understands the OpenAI and Anthropic SDKs' exceptions and Spring's
 * HTTP client exceptions (Ollama); anything else (I/O errors, timeouts, refused connections) is an outage.
 *
 * @param type the error class reported to the client
 * @param status the provider's HTTP status, or null when it did not answer
 * @param retryAfter how long the provider asked us to wait, or null
 */
record ProviderFailure(ErrorType type, Integer status, Duration retryAfter) {

    private static final Pattern STATUS_IN_MESSAGE = Pattern.compile("^(?:HTTP )?(\\d{3})\\b");

    static ProviderFailure of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OpenAIServiceException e) {
                return fromStatus(e.statusCode(), name -> first(e.headers().values(name)));
            }
            if (t instanceof AnthropicServiceException e) {
                return fromStatus(e.statusCode(), name -> first(e.headers().values(name)));
            }
            if (t instanceof RestClientResponseException e) {
                HttpHeaders headers = e.getResponseHeaders();
                return fromStatus(e.getStatusCode().value(), name -> headers == null ? null : headers.getFirst(name));
            }
            if (t instanceof WebClientResponseException e) {
                return fromStatus(
                        e.getStatusCode().value(), name -> e.getHeaders().getFirst(name));
            }
            if (t instanceof OpenAIIoException
                    || t instanceof AnthropicIoException
                    || t instanceof IOException
                    || t instanceof TimeoutException) {
                return new ProviderFailure(ErrorType.SERVICE_UNAVAILABLE, null, null);
            }
            // Spring AI's own error handler (e.g. "429 - {...}") keeps only the status in the message
            String name = t.getClass().getSimpleName();
            if (name.endsWith("TransientAiException") && t.getMessage() != null) {
                Matcher status = STATUS_IN_MESSAGE.matcher(t.getMessage().strip());
                if (status.find()) {
                    return fromStatus(Integer.parseInt(status.group(1)), header -> null);
                }
            }
        }
        ErrorType type = ErrorClassifier.classify(failure);
        return new ProviderFailure(
                type == ErrorType.RATE_LIMIT || type == ErrorType.AUTHENTICATION ? type : ErrorType.SERVICE_UNAVAILABLE,
                null,
                null);
    }

    /** What the client is told: the class in words, naming the provider (never its key). */
    String message(String provider) {
        String code = status == null ? "" : " (HTTP " + status + ")";
        return switch (type) {
            case RATE_LIMIT ->
                "The model provider '" + provider + "' is rate limiting requests" + code
                        + " and the retry budget is spent; try again shortly";
            case AUTHENTICATION ->
                "The model provider '" + provider + "' refused our credentials" + code
                        + "; an administrator must check its API key setting";
            default -> "The model provider '" + provider + "' is unavailable" + code + "; try again later";
        };
    }

    /** A non-streaming turn's failure as a problem: 429, 502 for refused credentials (not the caller's token), 503. */
    AgencyException problem(String provider) {
        if (type == ErrorType.RATE_LIMIT) {
            long seconds = retryAfter == null ? 1 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
            return new RateLimitedException(message(provider), seconds).withProperty("provider", provider);
        }
        HttpStatus httpStatus =
                type == ErrorType.AUTHENTICATION ? HttpStatus.BAD_GATEWAY : HttpStatus.SERVICE_UNAVAILABLE;
        return new AgencyException(type, httpStatus, message(provider), List.of(), null)
                .withProperty("provider", provider);
    }

    private static ProviderFailure fromStatus(int status, Function<String, String> header) {
        ErrorType type = switch (status) {
            case 429 -> ErrorType.RATE_LIMIT;
            case 401, 403 -> ErrorType.AUTHENTICATION;
            default -> ErrorType.SERVICE_UNAVAILABLE;
        };
        return new ProviderFailure(type, status, type == ErrorType.RATE_LIMIT ? retryAfter(header) : null);
    }

    /** {@code retry-after-ms} (OpenAI, Anthropic), else {@code Retry-After} in seconds or as an HTTP date. */
    static Duration retryAfter(Function<String, String> header) {
        try {
            String millis = header.apply("retry-after-ms");
            if (millis != null && !millis.isBlank()) {
                return Duration.ofMillis(Math.max(0, (long) Double.parseDouble(millis.strip())));
            }
            String value = header.apply("Retry-After");
            if (value == null || value.isBlank()) {
                return null;
            }
            if (value.strip().matches("\\d+(\\.\\d+)?")) {
                return Duration.ofMillis((long) (Double.parseDouble(value.strip()) * 1000));
            }
            Duration until = Duration.between(
                    ZonedDateTime.now(), ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME));
            return until.isNegative() ? Duration.ZERO : until;
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
