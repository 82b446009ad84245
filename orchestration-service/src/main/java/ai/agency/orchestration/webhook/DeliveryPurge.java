package ai.agency.orchestration.webhook;

import ai.agency.common.retention.RetentionRule;
import ai.agency.orchestration.OrchestrationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Forgets delivery ids older than {@code delivery-retention} through common-lib's retention purge (kind {@code
 * webhook-deliveries}; {@code agency.retention.keep.webhook-deliveries} overrides it). A sender's retry within that
 * time still gets the first run's id.
 */
@Configuration(proxyBeanMethods = false)
class DeliveryPurge {

    @Bean
    RetentionRule webhookDeliveriesRetention(OrchestrationProperties properties) {
        return RetentionRule.of(
                "webhook-deliveries",
                "webhook_deliveries",
                "created_at",
                properties.workflows().webhooks().deliveryRetention());
    }
}
