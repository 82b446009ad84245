package ai.agency.common.health;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;

/**
 * The {@code db} health check (part of readiness), which does not queue for a pooled connection. When every
 * connection of the pool is in use the database is evidently answering, and the service is busy, not broken: UP with
 * {@code pool: saturated}, at once. Boot's own check would wait up to Hikari's connection timeout (5 s) behind the
 * requests and then report DOWN, so an overloaded instance was taken out of rotation — shifting its load to the others
 * — exactly while it was shedding load correctly. Otherwise (a connection is idle or can be opened) the usual query
 * runs, and a database that is down or unreachable still makes the service not ready.
 *
 * <p>Every service with a database gets it ({@link AgencyHealthAutoConfiguration}), replacing Boot's {@code db}
 * check; first written in auth-service for its burst of sign-ups.
 */
public class PooledDatabaseHealth implements HealthIndicator {

    private final @Nullable HikariDataSource hikari;
    private final DataSourceHealthIndicator query;

    public PooledDatabaseHealth(DataSource dataSource) {
        this.hikari = hikari(dataSource);
        this.query = new DataSourceHealthIndicator(dataSource, null);
    }

    @Override
    public Health health() {
        HikariDataSource hikari = this.hikari;
        HikariPoolMXBean pool = hikari == null ? null : hikari.getHikariPoolMXBean();
        if (hikari != null
                && pool != null
                && pool.getIdleConnections() == 0
                && pool.getActiveConnections() >= hikari.getMaximumPoolSize()) {
            return Health.up()
                    .withDetail("pool", "saturated")
                    .withDetail("activeConnections", pool.getActiveConnections())
                    .withDetail("threadsAwaitingConnection", pool.getThreadsAwaitingConnection())
                    .build();
        }
        return query.health();
    }

    private static @Nullable HikariDataSource hikari(DataSource dataSource) {
        if (dataSource instanceof HikariDataSource direct) {
            return direct;
        }
        try {
            return dataSource.isWrapperFor(HikariDataSource.class) ? dataSource.unwrap(HikariDataSource.class) : null;
        } catch (SQLException e) {
            return null;
        }
    }
}
