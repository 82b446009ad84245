package ai.agency.common.config;

import ai.agency.common.error.ProblemExceptionHandler;
import ai.agency.common.trace.JdbcSpans;
import ai.agency.common.trace.TraceIdFilter;
import ai.agency.common.web.ProblemErrorController;
import ai.agency.common.web.ProblemErrorReportValve;
import io.micrometer.observation.ObservationPredicate;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

/**
 * Registers the trace-id filter (first after the request's span opens), the problem+json exception handler and error page, and the JSON check for
 * text PostgreSQL cannot store ({@link StorableText}) in every service.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Import(ProblemExceptionHandler.class)
public class AgencyWebAutoConfiguration {

    @Bean
    FilterRegistrationBean<TraceIdFilter> traceIdFilter() {
        FilterRegistrationBean<TraceIdFilter> registration = new FilterRegistrationBean<>(new TraceIdFilter());
        // just inside Boot's ServerHttpObservationFilter (HIGHEST_PRECEDENCE + 1): the request's span is current
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
        registration.addUrlPatterns("/*");
        return registration;
    }

    /** The container's {@code /error} page as a problem (Boot's BasicErrorController backs off from it). */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean(ProblemErrorController.class)
    ProblemErrorController problemErrorController() {
        return new ProblemErrorController();
    }

    /** Tomcat's own error pages (requests refused before any servlet) as problems too. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.apache.catalina.valves.ErrorReportValve")
    static class TomcatErrorPages {

        @Bean
        WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> agencyProblemErrorReportValve() {
            return ProblemErrorReportValve.installer();
        }
    }

    /**
     * On shutdown, readiness goes down first and the service keeps serving for {@code agency.shutdown.readiness-grace}
     * before the graceful shutdown begins ({@link ReadinessGrace}).
     */
    @Bean
    ReadinessGrace agencyReadinessGrace(
            ApplicationContext context,
            ApplicationAvailability availability,
            @Value("${agency.shutdown.readiness-grace:3s}") Duration grace) {
        return new ReadinessGrace(context, availability, grace);
    }

    /** JDBC statements become spans only within a trace ({@link JdbcSpans}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "net.ttddyy.observation.tracing.DataSourceBaseContext")
    static class JdbcSpanSelection {

        @Bean
        ObservationPredicate agencyJdbcSpansOnlyWithinATrace() {
            return JdbcSpans.ONLY_WITHIN_A_TRACE;
        }
    }

    @Bean
    JacksonModule agencyStorableTextModule() {
        return StorableText.module();
    }

    /**
     * A JSON value of the wrong type is a 400, not silently converted: {@code "limit": "10"}, {@code "limit": 10.5},
     * {@code "content": 123}, {@code "count": true} or {@code "limit": ""} are refused naming the field (Jackson
     * would otherwise parse the string, truncate the fraction, turn the number into text, or read "" as null).
     */
    @Bean
    JsonMapperBuilderCustomizer agencyStrictScalars() {
        return builder -> {
            for (LogicalType number : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
                builder.withCoercionConfig(
                        number,
                        config -> config.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail));
            }
            builder.withCoercionConfig(
                    LogicalType.Integer, config -> config.setCoercion(CoercionInputShape.Float, CoercionAction.Fail));
            builder.withCoercionConfig(
                    LogicalType.Boolean, config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail));
            builder.withCoercionConfig(
                    LogicalType.Textual,
                    config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
        };
    }
}
