package ai.agency.common.health;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code db} health check of every service with a database: {@link PooledDatabaseHealth}, which reports a
 * saturated pool as busy (UP) instead of queueing behind the requests and reporting DOWN. Registered under the name
 * Boot's own check backs off from ({@code dbHealthIndicator}), before Boot's health auto-configuration runs.
 */
@AutoConfiguration(
        afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        beforeName = "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration")
@ConditionalOnClass({HikariDataSource.class, HealthIndicator.class})
@ConditionalOnBean(DataSource.class)
public class AgencyHealthAutoConfiguration {

    @Bean(name = "dbHealthIndicator")
    @ConditionalOnMissingBean(name = {"dbHealthIndicator", "dbHealthContributor"})
    HealthIndicator dbHealthIndicator(DataSource dataSource) {
        return new PooledDatabaseHealth(dataSource);
    }
}
