package ai.agency.common.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.error.RateLimitedException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CpuBoundWorkTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<CpuBoundWork> pools = new ArrayList<>();

    @AfterEach
    void stopSpinning() {
        stop.set(true);
        pools.forEach(CpuBoundWork::close);
    }

    private CpuBoundWork work(int slots, Duration wait) {
        CpuBoundWork work = new CpuBoundWork("test", slots, wait, "busy, try later", meters, "agency.test");
        pools.add(work);
        return work;
    }

    /** Burns CPU and ignores interruption, as a regular expression stuck in backtracking does. */
    private long spin() {
        long n = 0;
        while (!stop.get()) {
            n++;
        }
        return n;
    }

    @Test
    void atMostTheSlotsRunAtOnceAndTheRestWaitThenGet429() throws Exception {
        CpuBoundWork work = work(2, Duration.ofSeconds(1));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        var callers = Executors.newVirtualThreadPerTaskExecutor();
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            calls.add(CompletableFuture.supplyAsync(
                    () -> work.call(() -> {
                        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                        release.await();
                        running.decrementAndGet();
                        return 1;
                    }),
                    callers));
        }
        while (meters.get("agency.test.in.flight").gauge().value() < 2) {
            Thread.sleep(5);
        }

        // a third finds both slots busy: it waits its second in vain, then is shed
        assertThatThrownBy(() -> work.call(() -> 1)).isInstanceOfSatisfying(RateLimitedException.class, e -> {
            assertThat(e.retryAfterSeconds()).isEqualTo(1);
            assertThat(e.getMessage()).isEqualTo("busy, try later");
        });
        // a fourth waits, and gets its turn when a slot comes free
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> work.call(() -> 2), callers);
        release.countDown();
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        for (CompletableFuture<Integer> call : calls) {
            assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(mostAtOnce).hasValue(2);
        assertThat(meters.get("agency.test.rejected").counter().count()).isEqualTo(1.0);
    }

    @Test
    void aCallerThatWaitedLongerThanTheTimeoutGetsItsOwnErrorAndTheRunawayKeepsItsSlot() {
        CpuBoundWork work = work(1, Duration.ofMillis(100));

        assertThatThrownBy(() -> work.call(this::spin, Duration.ofMillis(100), () -> new IllegalStateException("slow")))
                .hasMessage("slow");

        // the spinning task ignored its interruption: its slot stays taken, so the bound holds
        assertThatThrownBy(() -> work.call(() -> 1)).isInstanceOf(RateLimitedException.class);
        stop.set(true);
        assertThat(work.call(() -> 2, Duration.ofSeconds(30), IllegalStateException::new))
                .isEqualTo(2);
    }

    @Test
    void runawayWorkOnEveryProcessorDoesNotStarveVirtualThreads() throws Exception {
        // The attack the fuzzing found: as many never-ending CPU-bound tasks as there are processors. Run on
        // virtual threads (as the multimodal analyses were), they held every carrier and nothing else of the service
        // ran; in CpuBoundWork they run on platform threads of their own and virtual threads still get a turn.
        int processors = Runtime.getRuntime().availableProcessors();
        CpuBoundWork work = work(processors, Duration.ofMillis(100));
        for (int i = 0; i < processors; i++) {
            CompletableFuture.runAsync(() -> work.call(this::spin), Executors.newVirtualThreadPerTaskExecutor());
        }
        while (meters.get("agency.test.in.flight").gauge().value() < processors) {
            Thread.sleep(5);
        }

        ThreadFactory virtual = Thread.ofVirtual().factory();
        CompletableFuture<String> other = new CompletableFuture<>();
        virtual.newThread(() -> other.complete("answered")).start();

        assertThat(other.get(30, TimeUnit.SECONDS)).isEqualTo("answered");
    }

    @Test
    void workCancelledBeforeItStartedGivesItsSlotBack() throws Exception {
        CpuBoundWork work = work(1, Duration.ofSeconds(5));
        for (int i = 0; i < 200; i++) {
            try {
                work.call(() -> 1, Duration.ZERO, () -> new IllegalStateException("timed out"));
            } catch (IllegalStateException expected) {
                // some are cancelled before they start, some after
            }
        }

        assertThat(work.call(() -> 3, Duration.ofSeconds(30), IllegalStateException::new))
                .isEqualTo(3);
    }

    @Test
    void tooFewSlotsAreRefused() {
        assertThatThrownBy(() -> work(0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
