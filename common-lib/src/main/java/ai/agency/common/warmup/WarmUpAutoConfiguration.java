package ai.agency.common.warmup;

import ai.agency.common.client.ServiceClients;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;

/** The {@link WarmUpRunner} of every service, unless {@code agency.warm-up.enabled=false}. */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "agency.warm-up.enabled", matchIfMissing = true)
public class WarmUpAutoConfiguration {

    @Bean
    WarmUpRunner agencyWarmUpRunner(
            ObjectProvider<DataSource> dataSource, ObjectProvider<ServiceClients> clients, Map<String, WarmUp> steps) {
        return new WarmUpRunner(dataSource, clients, steps);
    }
}
