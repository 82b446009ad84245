package ai.agency.common.web;

import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.Problems;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * Tomcat's error page as a problem. Requests Tomcat refuses before any servlet sees them — an encoded NUL or
 * slash in the path ({@code /api/v1/tools/%00}), a broken percent-encoding, a malformed request line — used to get
 * Tomcat's HTML page. They now get the same {@code application/problem+json} as every other error, with a trace
 * id (also in {@code X-Request-Id}) and no server detail. Errors that Spring MVC answers are untouched: this valve
 * writes only when nothing has been written yet.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    public ProblemErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        HttpStatusCode code = HttpStatusCode.valueOf(status);
        HttpStatus known = HttpStatus.resolve(status);
        String detail = status == 400
                ? "The request could not be read: its URL, headers or encoding are malformed"
                : known != null ? known.getReasonPhrase() : "The request failed";
        // no instance: the raw URI is what was malformed, it is not echoed back
        ProblemDetail problem = Problems.of(code, ErrorClassifier.classify(code), detail, null, null);
        String traceId = Problems.traceIdOf(request);
        problem.setProperty("traceId", traceId);
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            response.setHeader("X-Request-Id", traceId);
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(Problems.toJson(problem));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response cannot take a body: nothing more to do
        }
    }

    /** Puts this valve where Spring Boot puts Tomcat's own, on the host, so that it handles every error page. */
    public static WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> installer() {
        return new Installer();
    }

    private static final class Installer
            implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {

        @Override
        public void customize(ConfigurableTomcatWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                if (!(context.getParent() instanceof StandardHost host)) {
                    return;
                }
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
                        host.getPipeline().removeValve(valve);
                    }
                }
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                host.getPipeline().addValve(new ProblemErrorReportValve());
            });
        }

        /** After Spring Boot's own customizer, which adds a plain {@code ErrorReportValve}. */
        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
