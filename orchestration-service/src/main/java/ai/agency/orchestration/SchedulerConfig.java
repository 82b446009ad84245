package ai.agency.orchestration;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.OnStartup;
import com.github.kagkarlsson.scheduler.task.Task;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * db-scheduler (durable, cluster-safe task executions in PostgreSQL) on orchestration's own schema, table {@code
 * scheduled_tasks}, running every {@link Task} bean of the context: the ticks of workflow schedules and the purge of
 * old webhook deliveries. It is configured here rather than by db-scheduler's Spring Boot starter, which is built
 * against Spring Boot 3 (its auto-configuration names Boot 3 class locations). Its data source joins Spring's
 * transactions, so a schedule and its first execution are inserted together. It polls once the context is up (unless
 * {@code agency.orchestration.workflows.schedules.enabled} is false) and stops with it.
 */
@Configuration(proxyBeanMethods = false)
class SchedulerConfig {

    @Bean
    Scheduler durableScheduler(DataSource dataSource, List<Task<?>> tasks, OrchestrationProperties properties) {
        OrchestrationProperties.Schedules settings = properties.workflows().schedules();
        List<Task<?>> known =
                tasks.stream().filter(t -> !(t instanceof OnStartup)).toList();
        return Scheduler.create(new TransactionAwareDataSourceProxy(dataSource), known)
                .startTasks(startupTasks(tasks))
                .pollingInterval(settings.pollingInterval())
                .threads(settings.threads())
                // a replica that died while handling a tick: another one takes the tick over after ~4 heartbeats
                .heartbeatInterval(Duration.ofSeconds(15))
                .shutdownMaxWait(Duration.ofSeconds(10))
                .build();
    }

    /** Tasks that schedule themselves when the scheduler starts (recurring ones); they are known tasks too. */
    @SuppressWarnings("unchecked")
    private static <T extends Task<?> & OnStartup> List<T> startupTasks(List<Task<?>> tasks) {
        return tasks.stream()
                .filter(OnStartup.class::isInstance)
                .map(t -> (T) t)
                .toList();
    }

    @Bean
    SmartLifecycle durableSchedulerLifecycle(Scheduler scheduler, OrchestrationProperties properties) {
        boolean enabled = properties.workflows().schedules().enabled();
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                if (enabled) {
                    scheduler.start();
                }
                running = true;
            }

            @Override
            public void stop() {
                if (enabled) {
                    scheduler.stop();
                }
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
