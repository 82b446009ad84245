package ai.agency.orchestration.workflow;

import ai.agency.common.error.ErrorType;

/** Why an attempt of a step failed; recoverable error classes are retried under the step's retry policy. */
final class StepFailure extends RuntimeException {

    private final ErrorType type;
    private final boolean timedOut;

    StepFailure(ErrorType type, String message) {
        this(type, message, false);
    }

    StepFailure(ErrorType type, String message, boolean timedOut) {
        super(message, null, false, false);
        this.type = type;
        this.timedOut = timedOut;
    }

    ErrorType type() {
        return type;
    }

    boolean timedOut() {
        return timedOut;
    }

    static ErrorType byCode(String code) {
        for (ErrorType type : ErrorType.values()) {
            if (type.code().equals(code)) {
                return type;
            }
        }
        return ErrorType.INTERNAL;
    }
}
