package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage.ToolCall;

/** How tool calls streamed in pieces become whole calls, as the providers send them. */
class ToolCallMergerTest {

    @Test
    void fragmentsWithoutIdContinueThePreviousCallsArguments() {
        ToolCallMerger merger = new ToolCallMerger();
        merger.add(new ToolCall("call_a", "function", "calculator", "{\"expr"));
        merger.add(new ToolCall(null, "function", null, "ession\":\"2+2\"}"));
        merger.add(new ToolCall("call_b", "function", "current_time", null));
        merger.add(new ToolCall("", "function", "", "{}"));

        assertThat(merger.result())
                .containsExactly(
                        new ToolCall("call_a", "function", "calculator", "{\"expression\":\"2+2\"}"),
                        new ToolCall("call_b", "function", "current_time", "{}"));
    }

    @Test
    void wholeCallsWithoutIdsAreNumbered() {
        ToolCallMerger merger = new ToolCallMerger();
        merger.add(new ToolCall(null, "function", "calculator", "{\"expression\":\"1+1\"}"));
        merger.add(new ToolCall("", "function", "current_time", "{}"));

        assertThat(merger.result())
                .extracting(ToolCall::id, ToolCall::name)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("call_1", "calculator"),
                        org.assertj.core.groups.Tuple.tuple("call_2", "current_time"));
    }

    @Test
    void aRepeatedIdReplacesTheCallAndUnnamedCallsAreLeftOut() {
        ToolCallMerger merger = new ToolCallMerger();
        merger.add(new ToolCall("call_a", "function", null, "{"));
        merger.add(new ToolCall("call_b", "function", "calculator", "{\"expression\":\"1\"}"));
        merger.add(new ToolCall("call_b", "function", "calculator", "{\"expression\":\"2\"}"));

        assertThat(merger.result())
                .containsExactly(new ToolCall("call_b", "function", "calculator", "{\"expression\":\"2\"}"));
    }
}
