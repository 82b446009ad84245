package ai.agency.common.web;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.RateLimitedException;
import ai.agency.common.security.Caller;
import ai.agency.common.testsupport.TestJwts;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** A minimal service built on common-lib, for tests of its web layer: errors, security and trace ids. */
@SpringBootApplication
public class ProblemTestApplication {

    /** Shared by the app's decoder and the tests that mint tokens. */
    public static final TestJwts JWTS = TestJwts.create();

    /** A token that cannot be checked: as when auth-service's JWKS does not answer in time. */
    public static final String UNCHECKABLE = "uncheckable.token.value";

    @Bean
    JwtDecoder jwtDecoder() {
        JwtDecoder decoder = JWTS.decoder();
        return token -> {
            if (UNCHECKABLE.equals(token)) {
                throw new org.springframework.security.oauth2.jwt.JwtException(
                        "I/O error on GET request for \"http://auth-service/.well-known/jwks.json\": Read timed out");
            }
            return decoder.decode(token);
        };
    }

    /**
     * Reads the request's parameters before Spring MVC, as the gateway's form handling does: a query or form body
     * Tomcat cannot decode then fails inside a filter, out of reach of the MVC exception handler.
     */
    @Bean
    org.springframework.boot.web.servlet.FilterRegistrationBean<jakarta.servlet.Filter> parameterReadingFilter() {
        var registration = new org.springframework.boot.web.servlet.FilterRegistrationBean<jakarta.servlet.Filter>(
                (request, response, chain) -> {
                    request.getParameterMap();
                    chain.doFilter(request, response);
                });
        registration.addUrlPatterns("/test/form-filter/*");
        return registration;
    }

    record Widget(@NotBlank String name, @Size(max = 5) String code, int count) {}

    record Note(String text, java.util.List<String> tags, Map<String, Object> labels) {}

    @RestController
    static class TestController {

        @DeleteMapping("/test/widgets/{id}")
        Map<String, Object> delete(@PathVariable String id) {
            return Map.of("deleted", id);
        }

        @DeleteMapping("/api/v1/auth/api-keys/{id}")
        Map<String, Object> deleteKey(@PathVariable String id) {
            return Map.of("deleted", id);
        }

        @PostMapping("/api/v1/memories/search")
        Map<String, Object> search() {
            return Map.of("results", java.util.List.of());
        }

        @GetMapping("/api/v1/admin/things")
        Map<String, Object> adminThings() {
            return Map.of("items", java.util.List.of());
        }

        @PostMapping("/test/widgets")
        Map<String, Object> create(@Valid @RequestBody Widget widget) {
            return Map.of("name", widget.name(), "count", widget.count());
        }

        @PostMapping("/test/notes")
        Note echo(@RequestBody Note note) {
            return note;
        }

        /**
         * As JdbcClient fails when PostgreSQL refuses a NUL character in a text parameter (there, a Spring
         * {@code DataIntegrityViolationException}; common-lib does not depend on spring-tx).
         */
        @GetMapping("/test/nul-in-database")
        Map<String, Object> nulInDatabase() {
            throw new IllegalStateException(
                    "PreparedStatementCallback; SQL [SELECT ...]",
                    new java.sql.SQLException("ERROR: invalid byte sequence for encoding \"UTF8\": 0x00", "22021"));
        }

        @GetMapping("/test/page")
        Map<String, Object> page(@RequestParam(required = false) Integer limit) {
            return Map.of("limit", limit == null ? 10 : limit);
        }

        @PutMapping("/test/widgets/{id}/roles")
        Map<String, Object> roles(@PathVariable String id, @Valid @RequestBody Widget widget) {
            return Map.of("id", id, "name", widget.name());
        }

        @PostMapping(value = "/test/upload", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
        Map<String, Object> upload(@RequestParam("file") MultipartFile file) {
            return Map.of("size", file.getSize());
        }

        @GetMapping("/test/widgets/{id}")
        Map<String, Object> find(@PathVariable String id) {
            throw AgencyException.notFound("Widget", id);
        }

        @GetMapping("/test/boom")
        Map<String, Object> boom() {
            throw new RuntimeException("secret internal detail in ai.agency.Secret");
        }

        @GetMapping("/test/unavailable")
        Map<String, Object> unavailable() {
            throw AgencyException.unavailable("The memory service is unavailable", null);
        }

        /** What the JDBC layer throws when the pool times out or the database is down or restarting. */
        @GetMapping("/test/database/{failure}")
        Map<String, Object> database(@org.springframework.web.bind.annotation.PathVariable String failure) {
            throw new IllegalStateException(
                    "Failed to obtain JDBC Connection",
                    switch (failure) {
                        case "pool-timeout" ->
                            new java.sql.SQLTransientConnectionException(
                                    "HikariPool-1 - Connection is not available, request timed out after 5000ms.");
                        case "refused" ->
                            new java.sql.SQLException(
                                    "Connection to localhost:5432 refused",
                                    "08001",
                                    new java.net.ConnectException("Connection refused"));
                        case "admin-shutdown" ->
                            new java.sql.SQLException(
                                    "FATAL: terminating connection due to administrator command", "57P01");
                        default -> new java.sql.SQLException("duplicate key value", "23505");
                    });
        }

        @PostMapping("/test/forbidden")
        Map<String, Object> forbidden() {
            throw AgencyException.forbidden("Viewers cannot change widgets");
        }

        @GetMapping("/test/reasoned")
        Map<String, Object> reasoned() {
            throw AgencyException.unauthenticated("A second factor is required")
                    .withProperty("reason", "mfa_required")
                    .withProperty("errorType", "spoofed");
        }

        @GetMapping("/test/limited")
        Map<String, Object> limited() {
            throw new RateLimitedException("Too many requests, slow down", 30);
        }

        @PreAuthorize("hasRole('admin')")
        @GetMapping("/test/admin")
        Map<String, Object> admin() {
            return Map.of("ok", true);
        }

        @GetMapping("/test/me")
        Map<String, Object> me(Caller caller) {
            return Map.of(
                    "id", caller.id().toString(),
                    "roles", new TreeSet<>(caller.roles()),
                    "scopes", new TreeSet<>(caller.scopes()));
        }
    }
}
