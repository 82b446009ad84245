package ai.agency.tool.execution;

import ai.agency.common.crypto.MasterKey;
import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.tool.ToolProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tool executions under an {@code Idempotency-Key}, as Stripe's API does it: the first call with a key (per user)
 * runs the tool and stores its result envelope; a repeat gets that envelope again without running the tool, and is
 * marked replayed. A repeat while the first call is still running waits for it up to {@code in-flight-wait}, then is
 * refused with 409 {@code conflict}; the same key with another tool or other parameters is refused with 422. Calls
 * refused before the tool ran (checks, limits, the bulkhead) store nothing, so they may be repeated with the same key.
 * Keys live {@code ttl} (24 h); expired ones are deleted every {@code cleanup-interval}.
 *
 * <p>A call that was running when its instance died leaves its key locked until the tool's longest possible run is
 * over; a repeat after that runs the tool again (the effect of the first call is unknown). Results are sealed under
 * the master key, since they may hold the user's data (a memory search).
 */
@Service
public class IdempotentExecutions implements DisposableBean {

    /** The response header of a repeat answered with the stored result. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    public static final String KEY_HEADER = "Idempotency-Key";

    private static final Logger log = LoggerFactory.getLogger(IdempotentExecutions.class);
    private static final Duration POLL = Duration.ofMillis(50);
    /** Beyond the tool's timeout and the waits for slots: how long a running first call holds its key at most. */
    private static final Duration LOCK_MARGIN = Duration.ofSeconds(10);

    private final ToolExecutor executor;
    private final IdempotencyKeys keys;
    private final MasterKey sealer;
    private final ToolProperties properties;
    private final MeterRegistry meters;
    private final JsonMapper canonical = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    private final JsonMapper json;
    private final ScheduledExecutorService cleaner = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "idempotency-key-cleanup");
        t.setDaemon(true);
        return t;
    });

    IdempotentExecutions(
            ToolExecutor executor,
            IdempotencyKeys keys,
            MasterKey sealer,
            ToolProperties properties,
            MeterRegistry meters,
            JsonMapper json) {
        this.executor = executor;
        this.json = json;
        this.keys = keys;
        this.sealer = sealer;
        this.properties = properties;
        this.meters = meters;
    }

    /** The envelope, and whether it is the stored result of an earlier call with the same key. */
    public record Keyed(ExecutionResult result, boolean replayed) {}

    /** Executes tool {@code name} once per {@code (caller, key)}; see the class comment. */
    public Keyed execute(Caller caller, String name, JsonNode parameters, String key) {
        checkKey(key);
        ToolExecutor.Call call = executor.prepare(caller, name, parameters); // 404 / 403 / 400 store nothing
        String tool = call.tool().name();
        String fingerprint = fingerprint(tool, call.parameters());
        ToolProperties.Idempotency settings = properties.idempotency();
        Duration lock = Duration.ofMillis(call.tool().timeoutMs())
                .plus(properties.concurrency().maxWait())
                .plus(properties.bulkheadMaxWait())
                .plus(LOCK_MARGIN);
        Instant giveUp = Instant.now().plus(settings.inFlightWait());
        while (true) {
            if (keys.claim(caller.id(), key, tool, fingerprint, lock, settings.ttl())) {
                return new Keyed(run(caller, call, key, fingerprint), false);
            }
            Optional<IdempotencyKeys.Stored> stored = keys.find(caller.id(), key);
            if (stored.isEmpty()) {
                sleep(POLL);
                continue; // expired or released between the two statements: claim again
            }
            IdempotencyKeys.Stored found = stored.get();
            if (!found.fingerprint().equals(fingerprint)) {
                count(tool, "mismatch");
                throw new AgencyException(
                                ErrorType.VALIDATION,
                                HttpStatus.UNPROCESSABLE_ENTITY,
                                "This Idempotency-Key was used for another request (tool " + found.tool()
                                        + " with other parameters); use a new key for a new request",
                                List.of(new AgencyException.FieldError(
                                        KEY_HEADER, "was used with another tool or other parameters")),
                                null)
                        .withProperty("reason", "idempotency_key_reused");
            }
            if (found.result() != null) {
                count(tool, "replayed");
                return new Keyed(json.readValue(sealer.decrypt(found.result()), ExecutionResult.class), true);
            }
            if (!found.locked()) {
                sleep(POLL);
                continue; // its first call died without a result: take the key over
            }
            if (!Instant.now().isBefore(giveUp)) {
                count(tool, "in_flight");
                throw AgencyException.conflict("A call with this Idempotency-Key is still running; repeat it shortly "
                                + "to get its result")
                        .withProperty("reason", "idempotency_key_in_use");
            }
            sleep(POLL);
        }
    }

    private ExecutionResult run(Caller caller, ToolExecutor.Call call, String key, String fingerprint) {
        ExecutionResult result;
        try {
            result = executor.execute(caller, call);
        } catch (RuntimeException refused) { // the tool did not run: a repeat may run it
            release(caller, key, fingerprint);
            throw refused;
        }
        count(call.tool().name(), "executed");
        try {
            keys.finish(caller.id(), key, fingerprint, sealer.encrypt(json.writeValueAsBytes(result)));
        } catch (RuntimeException e) {
            log.warn(
                    "Could not store the result of tool {} under an idempotency key of user {}: {}",
                    call.tool().name(),
                    caller.id(),
                    e.toString());
        }
        return result;
    }

    private void release(Caller caller, String key, String fingerprint) {
        try {
            keys.release(caller.id(), key, fingerprint);
        } catch (RuntimeException e) {
            log.warn("Could not release an idempotency key of user {}: {}", caller.id(), e.toString());
        }
    }

    /** 1–255 visible ASCII characters, else 400. */
    private static void checkKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw AgencyException.invalidField(KEY_HEADER, "must be 1 to 255 visible ASCII characters");
        }
    }

    /** SHA-256 over the tool's name and its parameters with object members sorted, so their order does not matter. */
    private String fingerprint(String tool, JsonNode parameters) {
        byte[] canonicalParameters = canonical.writeValueAsBytes(canonical.convertValue(parameters, Object.class));
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(tool.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            return HexFormat.of().formatHex(digest.digest(canonicalParameters));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void count(String tool, String outcome) {
        Counter.builder("agency.tool.idempotency")
                .description("Tool executions under an Idempotency-Key, by outcome: executed, replayed, in_flight "
                        + "(refused 409), mismatch (refused 422)")
                .tag("tool", tool)
                .tag("outcome", outcome)
                .register(meters)
                .increment();
    }

    @EventListener(ApplicationReadyEvent.class)
    void startCleanup() {
        long every = properties.idempotency().cleanupInterval().toMillis();
        cleaner.scheduleWithFixedDelay(this::deleteExpired, every, every, TimeUnit.MILLISECONDS);
    }

    /** Deletes expired keys in batches; how many. */
    int deleteExpired() {
        int deleted = 0;
        try {
            for (int batch = keys.deleteExpired(1000); batch > 0; batch = keys.deleteExpired(1000)) {
                deleted += batch;
            }
        } catch (RuntimeException e) {
            log.warn("Deleting expired idempotency keys failed: {}", e.toString());
        }
        return deleted;
    }

    @Override
    public void destroy() {
        cleaner.shutdownNow();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AgencyException.unavailable("interrupted while waiting for a call with the same key", e);
        }
    }
}
