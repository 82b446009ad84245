package ai.agency.common.web;

import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The {@code /error} page as a problem, in place of Boot's {@code BasicErrorController}. Errors that escape the
 * servlet filters, before Spring MVC's exception handler can see them, are forwarded here by the container: a form
 * body or query string Tomcat cannot decode when a filter reads the parameters (the gateway's form handling read
 * {@code ?%%=%%} with {@code application/x-www-form-urlencoded}), a {@code sendError} of a filter. Boot answered them
 * with its own {@code {"timestamp", "status", "error", "path"}} JSON; now they get the same
 * {@code application/problem+json} as every other error, with a trace id and no server detail.
 */
@Controller
@RequestMapping("${server.error.path:${error.path:/error}}")
public class ProblemErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    @RequestMapping
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object statusAttribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Throwable failure = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        int status = statusAttribute instanceof Integer code && code >= 400 ? code : 500;
        String detail;
        ErrorType type;
        if (failure != null && ErrorClassifier.isMalformedRequest(failure)) {
            status = 400;
            type = ErrorType.VALIDATION;
            detail = "The request could not be read: its query string, headers or body are malformed";
        } else {
            HttpStatusCode code = HttpStatusCode.valueOf(status);
            type = ErrorClassifier.classify(code);
            HttpStatus known = HttpStatus.resolve(status);
            detail = status >= 500 || known == null ? "The request failed" : known.getReasonPhrase();
            if (status >= 500) {
                log.warn("error page {} for {}", status, uri, failure);
            }
        }
        ProblemDetail problem = Problems.of(
                HttpStatusCode.valueOf(status), type, detail, uri instanceof String path ? path : null, null);
        Problems.write(request, response, problem);
    }
}
