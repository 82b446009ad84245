package ai.agency.auth.audit;

import ai.agency.common.retention.RetentionRule;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What auth-service keeps for a limited time (common-lib's retention purge deletes the rest; {@code
 * agency.retention.keep.<kind>} changes the defaults, docs/privacy.md lists them).
 */
@Configuration(proxyBeanMethods = false)
class AuditRetention {

    /** Audit events: a year, the usual span of a security review. */
    @Bean
    RetentionRule auditEventsRetention() {
        return RetentionRule.of("audit-events", "audit_events", "at", Duration.ofDays(365));
    }

    /**
     * Refresh tokens a week after they expired (spent or not): until then a spent one still shows a replay of its
     * family; after expiry it is refused anyway.
     */
    @Bean
    RetentionRule refreshTokensRetention() {
        return RetentionRule.of("refresh-tokens", "refresh_tokens", "expires_at", Duration.ofDays(7));
    }

    /** Account exports (docs/privacy.md) a week after they were requested; their chunks go with them. */
    @Bean
    RetentionRule accountExportsRetention() {
        return RetentionRule.of("account-exports", "account_exports", "created_at", Duration.ofDays(7));
    }
}
