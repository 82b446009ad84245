package ai.agency.gateway.limits;

import ai.agency.gateway.GatewayProperties;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * The REST API's limits: rate limits and body sizes (servlet filters just after Spring Security's chain, which runs
 * at -100, so the caller is known) and CORS (used by Spring Security's CORS filter, so preflights are answered
 * before authentication).
 */
@Configuration(proxyBeanMethods = false)
class LimitsConfig {

    /** Paths the gateway answers itself, usable as route names in rate-limit classes. */
    static final Map<String, List<String>> OWN_ROUTES = Map.of("sessions", List.of("/api/v1/sessions/**"));

    /**
     * The buckets: shared through PostgreSQL on a pool of the store's own (mode {@code shared}, the default), or in
     * this replica's memory (mode {@code local}).
     */
    @Bean // closed with the context (SharedBuckets is AutoCloseable: its pool and purge thread)
    RateLimitBuckets rateLimitBuckets(
            GatewayProperties properties, DataSource dataSource, ObjectProvider<MeterRegistry> registry)
            throws SQLException {
        GatewayProperties.RateLimit settings = properties.rateLimit();
        LocalBuckets local = new LocalBuckets();
        if (settings.mode() == GatewayProperties.RateLimitMode.LOCAL || !settings.enabled()) {
            return local;
        }
        boolean hikari = dataSource.isWrapperFor(HikariDataSource.class);
        DataSource store = hikari // else (a DataSource of another kind): the application's own, not closed by us
                ? SharedBuckets.poolLike(
                        dataSource.unwrap(HikariDataSource.class), settings.storePoolSize(), settings.storeTimeout())
                : dataSource;
        return new SharedBuckets(
                store,
                hikari,
                settings.storeRetry(),
                settings.purgeInterval(),
                local,
                registry.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    FilterRegistrationBean<RateLimitFilter> restRateLimitFilter(
            GatewayProperties properties, RateLimitBuckets buckets) {
        FilterRegistrationBean<RateLimitFilter> registration =
                new FilterRegistrationBean<>(new RateLimitFilter(properties, OWN_ROUTES, buckets));
        registration.setOrder(-90);
        registration.addUrlPatterns("/*"); // the filter itself limits agency.gateway.rate-limit.paths
        registration.setEnabled(properties.rateLimit().enabled());
        return registration;
    }

    @Bean
    FilterRegistrationBean<BodySizeFilter> bodySizeFilter(GatewayProperties properties) {
        FilterRegistrationBean<BodySizeFilter> registration =
                new FilterRegistrationBean<>(new BodySizeFilter(properties));
        registration.setOrder(-80);
        registration.addUrlPatterns("/*");
        return registration;
    }

    @Bean
    CorsConfigurationSource corsConfigurationSource(GatewayProperties properties) {
        GatewayProperties.Cors cors = properties.cors();
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        if (cors.allowedOrigins().isEmpty()) {
            return source; // no configuration: cross-origin requests get no CORS headers
        }
        CorsConfiguration config = new CorsConfiguration();
        config.setAllowedOriginPatterns(cors.allowedOrigins());
        config.setAllowedMethods(cors.allowedMethods());
        config.setAllowedHeaders(cors.allowedHeaders());
        config.setExposedHeaders(cors.exposedHeaders());
        config.setAllowCredentials(cors.allowCredentials());
        config.setMaxAge(cors.maxAge());
        source.registerCorsConfiguration("/api/**", config);
        return source;
    }
}
