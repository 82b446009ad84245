package ai.agency.orchestration.chat;

import ai.agency.common.security.Caller;
import ai.agency.orchestration.agent.Agent;
import ai.agency.orchestration.conversation.Conversation;
import java.time.Instant;
import java.util.UUID;

/**
 * A checked chat request, ready to run ({@link ChatService#prepare}): everything that can be refused with a 4xx has
 * been refused, and the agent's model is known.
 *
 * @param receivedAt when the request arrived: the turn's and the first token's latency are measured from it
 * @param experimentId the experiment that assigned the agent's version to the caller, or null
 */
record Turn(
        Caller caller,
        Conversation conversation,
        Agent agent,
        AgentModel model,
        String content,
        Instant receivedAt,
        UUID experimentId) {

    /** The caller's own token: every downstream call of the turn acts as the caller, on any thread. */
    String bearer() {
        return "Bearer " + caller.token();
    }
}
