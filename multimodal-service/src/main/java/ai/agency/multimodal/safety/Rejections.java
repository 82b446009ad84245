package ai.agency.multimodal.safety;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import java.util.List;
import org.springframework.http.HttpStatus;

/** The 4xx problems this service answers for input it will not analyse. All are {@code errorType: validation}. */
public final class Rejections {

    private Rejections() {}

    /** 400: nothing was sent. */
    public static AgencyException empty(String field) {
        return AgencyException.invalidField(field, "is empty");
    }

    /** 415: the content is not of a kind this endpoint analyses (sniffed from its bytes). */
    public static AgencyException unsupported(String field, String detail) {
        return problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, field, detail);
    }

    /** 413: too many bytes, pixels or seconds. */
    public static AgencyException tooLarge(String field, String detail) {
        return problem(HttpStatus.PAYLOAD_TOO_LARGE, field, detail);
    }

    /** 422: it claims to be a supported format but cannot be read (truncated, corrupt, too slow to parse). */
    public static AgencyException unreadable(String field, String detail) {
        return problem(HttpStatus.UNPROCESSABLE_ENTITY, field, detail);
    }

    private static AgencyException problem(HttpStatus status, String field, String detail) {
        return new AgencyException(
                ErrorType.VALIDATION,
                status,
                field + ": " + detail,
                List.of(new AgencyException.FieldError(field, detail)),
                null);
    }
}
