package ai.agency.orchestration;

import ai.agency.common.retention.RetentionRule;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What orchestration-service keeps for a limited time (common-lib's retention purge deletes the rest; {@code
 * agency.retention.keep.<kind>} changes the defaults, docs/privacy.md lists them). Conversations, agents, workflows
 * and runs themselves stay until their owner deletes them.
 */
@Configuration(proxyBeanMethods = false)
class RetentionRules {

    /** The event log of finished runs (90 days); a run still running or waiting for approval keeps all of its. */
    @Bean
    RetentionRule runEventsRetention() {
        return new RetentionRule(
                "run-events",
                "run_events",
                "created_at",
                "run_id IN (SELECT id FROM runs WHERE status IN ('succeeded', 'failed', 'cancelled'))",
                Duration.ofDays(90));
    }

    /** Channel messages (and their deliveries, by cascade): a year. */
    @Bean
    RetentionRule channelMessagesRetention() {
        return RetentionRule.of("channel-messages", "channel_messages", "created_at", Duration.ofDays(365));
    }
}
