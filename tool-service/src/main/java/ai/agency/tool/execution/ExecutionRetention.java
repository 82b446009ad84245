package ai.agency.tool.execution;

import ai.agency.common.retention.RetentionRule;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tool executions (the log of every call, with its parameters) are kept 90 days unless configured otherwise. */
@Configuration(proxyBeanMethods = false)
class ExecutionRetention {

    @Bean
    RetentionRule toolExecutionsRetention() {
        return RetentionRule.of("tool-executions", "executions", "created_at", Duration.ofDays(90));
    }
}
