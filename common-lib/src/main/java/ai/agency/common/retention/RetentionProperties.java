package ai.agency.common.retention;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code agency.retention.*}: how long each kind of rows is kept, and how the purge runs.
 *
 * @param enabled false: nothing is purged
 * @param interval time between two purges (the first runs one interval after start)
 * @param batchSize rows deleted per statement (each batch is its own short transaction)
 * @param keep per kind ({@code agency.retention.keep.audit-events=P365D}): how long its rows are kept; {@code 0}
 *     keeps them for ever. Kinds not listed keep their service's default.
 */
@Validated
@ConfigurationProperties("agency.retention")
public record RetentionProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("PT1H") Duration interval,
        @DefaultValue("1000") @Min(1) int batchSize,
        @DefaultValue Map<String, Duration> keep) {}
