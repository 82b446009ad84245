package ai.agency.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ai.agency.common.web.ProblemTestApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A rolling restart loses no request only if balancers learn of a shutdown from readiness before the listener closes:
 * on SIGTERM (a context close) readiness answers 503 while the service still accepts new connections and answers.
 * Before, readiness went down in the same instant as Tomcat stopped accepting: the first thing a balancer saw was a
 * refused (or cut) connection.
 */
class ReadinessGraceTest {

    @Test
    void readinessGoesDownFirstAndTheServiceStillAnswersNewConnectionsDuringTheGrace() throws Exception {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(ProblemTestApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.application.name=grace-test",
                        "--agency.shutdown.readiness-grace=10s");
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        assertThat(get(port, "/actuator/health/readiness")).isEqualTo(200);

        Thread closer = Thread.ofVirtual().start(app::close); // what SIGTERM does
        int readiness;
        do {
            readiness = get(port, "/actuator/health/readiness");
        } while (readiness == 200);

        assertThat(readiness).as("readiness reports the shutdown").isEqualTo(503);
        assertThat(get(port, "/actuator/health/liveness"))
                .as("a request on a new connection after readiness went down is still served")
                .isEqualTo(200);
        closer.join();
        assertThat(app.isActive()).isFalse();
    }

    /** The status of a GET on a new connection; fails the test if the connection is refused or cut. */
    private static int get(int port, String path) throws InterruptedException {
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return fail("GET " + path + " got no answer (" + e + "): the listener closed before readiness went down");
        }
    }
}
