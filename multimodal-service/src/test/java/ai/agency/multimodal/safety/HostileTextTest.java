package ai.agency.multimodal.safety;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.multimodal.MultimodalApiTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Texts and loads from the long fuzz run through the gateway, which left multimodal-service answering nothing: entity patterns
 * that backtracked for minutes on a hostile text, on virtual threads that held every carrier.
 */
class HostileTextTest extends MultimodalApiTest {

    @Autowired
    AnalysisGuard guard;

    private final AtomicBoolean stop = new AtomicBoolean();

    @AfterEach
    void stopRunaways() throws InterruptedException {
        stop.set(true);
        Thread.sleep(100); // let the runaways end and give their slots back before the next test
    }

    /** Shapes that made the e-mail, URL, money and capitalised-name patterns backtrack quadratically or worse. */
    @ParameterizedTest
    @ValueSource(strings = {"a", "1 ", "http://x", "A-", "$1,", "x@y."})
    void aTextBuiltToMakeTheEntityPatternsBacktrackIsAnalysed(String unit) {
        String text = unit.repeat(99_000 / unit.length());

        // before: 422 "could not be analysed within 30 s", the match going on in the background for minutes
        Response response = postJson("/api/v1/analyze/text", Map.of("text", text));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().path("entities").isArray()).isTrue();
    }

    @Test
    void runawayAnalysesOnEveryProcessorNeitherStopTheServiceAnsweringNorQueueWithoutEnd() throws Exception {
        int processors = Runtime.getRuntime().availableProcessors();
        var callers = Executors.newVirtualThreadPerTaskExecutor();
        List<CompletableFuture<?>> runaways = new ArrayList<>();
        for (int i = 0; i < processors; i++) { // CPU-bound and deaf to interruption, like a backtracking pattern
            runaways.add(CompletableFuture.runAsync(() -> guard.run("text", "text", 1, this::spin), callers));
        }
        Thread.sleep(500);

        // before: the analyses ran on virtual threads and held every carrier; this never answered
        Response health =
                CompletableFuture.supplyAsync(() -> get("/actuator/health")).get(30, TimeUnit.SECONDS);
        assertThat(health.status()).isEqualTo(200);

        // and an analysis that finds every slot taken waits briefly, then is shed with a 429 problem
        Response busy = CompletableFuture.supplyAsync(
                        () -> postJson("/api/v1/analyze/text", Map.of("text", "Hello there.")))
                .get(30, TimeUnit.SECONDS);
        assertThat(busy.status()).isEqualTo(429);
        assertThat(busy.contentType()).startsWith("application/problem+json");
        assertThat(busy.json().path("detail").asString()).contains("Too many analyses");

        stop.set(true);
        for (CompletableFuture<?> runaway : runaways) {
            runaway.handle((ok, error) -> null).get(60, TimeUnit.SECONDS);
        }
        assertThat(postJson("/api/v1/analyze/text", Map.of("text", "Hello there."))
                        .status())
                .as("slots come back")
                .isEqualTo(200);
    }

    private Object spin() {
        long n = 0;
        while (!stop.get()) {
            n++;
        }
        return n;
    }
}
