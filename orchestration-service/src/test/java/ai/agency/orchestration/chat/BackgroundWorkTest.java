package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundWorkTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private BackgroundWork work(int concurrency, int queue) {
        return new BackgroundWork(
                new ChatProperties(
                        true,
                        Duration.ofSeconds(30),
                        true,
                        2000,
                        concurrency,
                        queue,
                        4,
                        0,
                        Duration.ofSeconds(1),
                        Duration.ofMillis(250)),
                meters);
    }

    @Test
    void noMoreTasksRunAtOnceThanAllowedAndTheRestRunInTheOrderGiven() throws Exception {
        BackgroundWork work = work(2, 100);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<Integer> started = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(20);
        for (int i = 0; i < 20; i++) {
            int n = i;
            work.submit("extract-memories", () -> {
                started.add(n);
                mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running.decrementAndGet();
                done.countDown();
            });
        }
        assertThat(done.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(mostAtOnce.get()).isEqualTo(2);
        assertThat(started).hasSize(20);
        await().atMost(Duration.ofSeconds(2)).until(() -> work.pending() == 0);
        work.destroy();
    }

    @Test
    void aTaskBeyondTheQueueIsDroppedAndCountedWhileTheOthersStillRun() throws Exception {
        BackgroundWork work = work(1, 1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstRunning = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        work.submit("summarize", () -> {
            firstRunning.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.incrementAndGet();
        });
        assertThat(firstRunning.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        work.submit("summarize", ran::incrementAndGet); // waits: the queue holds one
        work.submit("extract-memories", ran::incrementAndGet); // dropped

        assertThat(meters.get("agency.chat.background.dropped")
                        .tag("task", "extract-memories")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(meters.get("agency.chat.background.pending").gauge().value()).isEqualTo(2.0);

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 2);
        await().atMost(Duration.ofSeconds(2)).until(() -> work.pending() == 0);
        work.destroy();
    }

    @Test
    void aFailingTaskDoesNotStopTheOnesAfterIt() throws Exception {
        BackgroundWork work = work(1, 10);
        AtomicInteger ran = new AtomicInteger();
        work.submit("summarize", () -> {
            throw new IllegalStateException("model down");
        });
        work.submit("summarize", ran::incrementAndGet);

        await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 1);
        await().atMost(Duration.ofSeconds(2)).until(() -> work.pending() == 0);
        work.destroy();
    }
}
