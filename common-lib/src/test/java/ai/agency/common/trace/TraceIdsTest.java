package ai.agency.common.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceIdsTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";
    private static final String GENERATED = "[0-9a-f]{32}";

    @Test
    void validTraceparentGivesItsTraceId() {
        assertThat(TraceIds.resolve(TRACEPARENT, null)).isEqualTo(TRACE_ID);
    }

    @Test
    void validTraceparentWinsOverRequestId() {
        assertThat(TraceIds.resolve(TRACEPARENT, "client-request-1")).isEqualTo(TRACE_ID);
    }

    @Test
    void allZeroTraceparentIsIgnored() {
        String zero = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";

        assertThat(TraceIds.resolve(zero, "client-request-1")).isEqualTo("client-request-1");
        assertThat(TraceIds.resolve(zero, null)).matches(GENERATED).isNotEqualTo("0".repeat(32));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "garbage",
                "00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01", // trace id too short
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", // no flags
                "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", // not hex
                "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"
            })
    void malformedTraceparentIsIgnored(String traceparent) {
        assertThat(TraceIds.resolve(traceparent, "client-request-1")).isEqualTo("client-request-1");
        assertThat(TraceIds.resolve(traceparent, null)).matches(GENERATED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"client-request-1", "a", "2024.01:abc_DEF-9"})
    void safeRequestIdIsUsed(String requestId) {
        assertThat(TraceIds.resolve(null, requestId)).isEqualTo(requestId);
    }

    @Test
    void requestIdOfExactlySixtyFourCharactersIsUsed() {
        String requestId = "r".repeat(64);

        assertThat(TraceIds.resolve(null, requestId)).isEqualTo(requestId);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "has space",
                "line\r\nSet-Cookie:x",
                "line\nbreak",
                "tab\tinside",
                "quote\"d",
                "<script>",
                "ünïcode",
                ""
            })
    void unsafeRequestIdIsReplacedByAGeneratedId(String requestId) {
        assertThat(TraceIds.resolve(null, requestId)).matches(GENERATED);
    }

    @Test
    void tooLongRequestIdIsReplacedByAGeneratedId() {
        assertThat(TraceIds.resolve(null, "r".repeat(65))).matches(GENERATED);
    }

    @Test
    void withoutHeadersEachRequestGetsAFreshId() {
        String first = TraceIds.resolve(null, null);
        String second = TraceIds.resolve(null, null);

        assertThat(first).matches(GENERATED);
        assertThat(second).matches(GENERATED).isNotEqualTo(first);
    }

    @Test
    void traceparentForAW3cTraceIdHasTheW3cShapeAndCarriesTheId() {
        String traceparent = TraceIds.traceparentFor(TRACE_ID);

        assertThat(traceparent).matches("00-" + TRACE_ID + "-[0-9a-f]{16}-01");
        assertThat(TraceIds.resolve(traceparent, null)).isEqualTo(TRACE_ID);
    }

    @Test
    void traceparentForANonW3cIdIsNull() {
        assertThat(TraceIds.traceparentFor("client-request-1")).isNull();
        assertThat(TraceIds.traceparentFor(TRACE_ID.toUpperCase())).isNull();
        assertThat(TraceIds.traceparentFor(null)).isNull();
    }
}
