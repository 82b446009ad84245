package ai.agency.common.retention;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The {@link RetentionPurge} of a service that declares {@link RetentionRule} beans and has a database. */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"
        })
@ConditionalOnClass(name = "org.springframework.jdbc.core.simple.JdbcClient")
@ConditionalOnBooleanProperty(name = "agency.retention.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RetentionProperties.class)
public class RetentionAutoConfiguration {

    @Bean
    @ConditionalOnBean({JdbcClient.class, PlatformTransactionManager.class, RetentionRule.class})
    RetentionPurge agencyRetentionPurge(
            JdbcClient jdbc,
            PlatformTransactionManager transactionManager,
            RetentionProperties properties,
            List<RetentionRule> rules,
            ObjectProvider<MeterRegistry> meters) {
        return new RetentionPurge(
                jdbc,
                new TransactionTemplate(transactionManager),
                properties,
                rules,
                meters.getIfAvailable(SimpleMeterRegistry::new));
    }
}
