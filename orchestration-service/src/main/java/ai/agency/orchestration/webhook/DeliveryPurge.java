package ai.agency.orchestration.webhook;

import ai.agency.orchestration.OrchestrationProperties;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Forgets delivery ids older than {@code delivery-retention}, hourly, on one replica at a time (a db-scheduler
 * recurring task). A sender's retry within that time still gets the first run's id.
 */
@Configuration(proxyBeanMethods = false)
class DeliveryPurge {

    private static final Logger log = LoggerFactory.getLogger(DeliveryPurge.class);

    @Bean
    RecurringTask<Void> webhookDeliveryPurge(WebhookRepository webhooks, OrchestrationProperties properties) {
        Duration retention = properties.workflows().webhooks().deliveryRetention();
        return Tasks.recurring("webhook-delivery-purge", FixedDelay.ofHours(1)).execute((instance, context) -> {
            int purged = webhooks.purgeDeliveries(Instant.now().minus(retention));
            if (purged > 0) {
                log.info("forgot {} webhook delivery ids older than {}", purged, retention);
            }
        });
    }
}
