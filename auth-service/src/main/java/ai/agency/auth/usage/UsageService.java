package ai.agency.auth.usage;

import ai.agency.common.error.AgencyException;
import ai.agency.common.usage.UsageEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Counts relayed usage events (each id once) and answers usage reports. Counted events are also published as
 * Micrometer counters for Grafana, registered at start so that they exist before the first event:
 * {@code agency_usage_events_total{kind}}, {@code agency_usage_tokens_total{direction}},
 * {@code agency_usage_memory_bytes_total}.
 */
@Service
class UsageService {

    /** The longest range a report covers. */
    static final int MAX_DAYS = 366;

    /** The range when none is given: the last 30 days, today included. */
    static final int DEFAULT_DAYS = 30;

    private final UsageLedger ledger;
    private final QuotaPolicy quotas;
    private final TransactionTemplate tx;
    private final Map<String, Counter> events = new HashMap<>();
    private final Counter tokensIn;
    private final Counter tokensOut;
    private final Counter memoryBytes;
    private final Clock clock = Clock.systemUTC();

    UsageService(UsageLedger ledger, QuotaPolicy quotas, MeterRegistry meters, TransactionTemplate tx) {
        this.ledger = ledger;
        this.tx = tx;
        this.quotas = quotas;
        for (String kind : UsageEvent.KINDS) {
            events.put(
                    kind,
                    Counter.builder("agency.usage.events")
                            .description("Usage counted, by kind: turns, tool calls, memories, analyses, workflow "
                                    + "steps (their count); tokens events (one per answer)")
                            .tag("kind", kind)
                            .register(meters));
        }
        this.tokensIn = tokens(meters, "in");
        this.tokensOut = tokens(meters, "out");
        this.memoryBytes = Counter.builder("agency.usage.memory.bytes")
                .description("Bytes of memories stored")
                .register(meters);
    }

    private static Counter tokens(MeterRegistry meters, String direction) {
        return Counter.builder("agency.usage.tokens")
                .description("Model tokens used, by direction (in: prompt, out: completion)")
                .tag("direction", direction)
                .register(meters);
    }

    /** Counts the events not seen before (ids and counters in one transaction); the number counted. */
    int ingest(List<UsageEvent> batch) {
        List<UsageEvent> counted = Objects.requireNonNull(tx.execute(s -> ledger.ingest(batch))); // never null
        // metrics only once committed
        for (UsageEvent e : counted) {
            Counter kind = events.get(e.kind());
            if (kind != null) {
                kind.increment(Math.max(e.count(), 1));
            }
            tokensIn.increment(e.tokensIn());
            tokensOut.increment(e.tokensOut());
            if (UsageEvent.MEMORY_ADDED.equals(e.kind())) {
                memoryBytes.increment(e.bytes());
            }
        }
        return counted.size();
    }

    private static void requireSaneDate(String field, @Nullable LocalDate date) {
        if (date != null && (date.getYear() < 1970 || date.getYear() > 9999)) {
            throw AgencyException.invalidField(field, "must be between 1970-01-01 and 9999-12-31");
        }
    }

    UsageReport report(UUID userId, @Nullable LocalDate from, @Nullable LocalDate to) {
        requireSaneDate("from", from);
        requireSaneDate("to", to);
        LocalDate last = to != null ? to : LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate first = from != null ? from : last.minusDays(DEFAULT_DAYS - 1);
        if (last.isBefore(first)) {
            throw AgencyException.invalidField("to", "must not be before from");
        }
        if (ChronoUnit.DAYS.between(first, last) >= MAX_DAYS) {
            throw AgencyException.invalidField("from", "the range may cover at most " + MAX_DAYS + " days");
        }
        List<QuotaPolicy.QuotaView> state = quotas.of(userId); // 404 for an unknown user
        return UsageReport.of(first, last, ledger.days(userId, first, last), state);
    }
}
