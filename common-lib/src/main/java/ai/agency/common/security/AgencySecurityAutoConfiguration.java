package ai.agency.common.security;

import ai.agency.common.audit.AuthorizationDenialReporter;
import ai.agency.common.client.ServiceClients;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.util.ClassUtils;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Makes a service a stateless OAuth2 resource server: access tokens are ES256 JWTs checked against the JWKS of
 * auth-service; roles become {@code ROLE_*} and scopes {@code SCOPE_*} authorities; failures are problems.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableWebSecurity
@EnableMethodSecurity
@EnableConfigurationProperties(AgencySecurityProperties.class)
public class AgencySecurityAutoConfiguration {

    static final String[] ALWAYS_OPEN = {
        "/actuator/health",
        "/actuator/health/**",
        "/actuator/info",
        "/actuator/prometheus",
        "/v3/api-docs",
        "/v3/api-docs/**",
        "/swagger-ui.html",
        "/swagger-ui/**",
        "/error"
    };

    @Bean
    @ConditionalOnMissingBean(name = "agencySecurityFilterChain")
    SecurityFilterChain agencySecurityFilterChain(
            HttpSecurity http,
            AgencySecurityProperties properties,
            ObjectProvider<ProtectedPaths> extraProtected,
            ObjectProvider<AuthorizationDenialReporter> denials,
            TokenRules tokenRules)
            throws Exception {
        ScopeRule scopes = new ScopeRule(properties.readOnlyPosts());
        AccessDeniedHandler accessDenied = problemAccessDenied(denials);
        List<String> protectedPaths = new ArrayList<>(properties.protectedPaths());
        extraProtected.orderedStream().forEach(p -> protectedPaths.addAll(p.paths()));
        http.csrf(AbstractHttpConfigurer::disable)
                .cors(cors -> {})
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(cache -> cache.disable())
                .authorizeHttpRequests(auth -> {
                    auth.requestMatchers(ALWAYS_OPEN).permitAll();
                    if (!properties.publicPaths().isEmpty()) {
                        auth.requestMatchers(properties.publicPaths().toArray(String[]::new))
                                .permitAll();
                    }
                    if (!protectedPaths.isEmpty()) {
                        auth.requestMatchers(protectedPaths.toArray(String[]::new))
                                .access(scopes);
                    }
                    auth.anyRequest().permitAll();
                })
                .oauth2ResourceServer(
                        oauth -> oauth.jwt(jwt -> jwt.jwtAuthenticationConverter(jwtConverter(tokenRules)))
                                .authenticationEntryPoint(problemEntryPoint())
                                .accessDeniedHandler(accessDenied)
                                .withObjectPostProcessor(answerUncheckableTokens()))
                .exceptionHandling(
                        ex -> ex.authenticationEntryPoint(problemEntryPoint()).accessDeniedHandler(accessDenied));
        return http.build();
    }

    /** URLs refused by Spring Security's firewall (encoded "..", ";", "//") get a problem too, not Boot's /error. */
    @Bean
    @ConditionalOnMissingBean
    RequestRejectedHandler problemRequestRejectedHandler() {
        return (request, response, rejected) -> Problems.write(
                request,
                response,
                Problems.of(
                        HttpStatus.BAD_REQUEST,
                        ErrorType.VALIDATION,
                        "The request was rejected because its URL or headers are not allowed",
                        request.getRequestURI(),
                        null));
    }

    @Bean
    @ConditionalOnMissingBean
    JwtDecoder jwtDecoder(AgencySecurityProperties properties, ObjectProvider<MeterRegistry> meters) {
        JwtDecoder verifier = NimbusJwtDecoder.withJwkSource(keySource(properties.jwksUri(), properties.keySet()))
                .jwsAlgorithm(SignatureAlgorithm.ES256)
                .build();
        return CachingJwtDecoder.wrap(
                verifier,
                properties.tokenCache().maxEntries(),
                properties.tokenCache().maxAge(),
                meters.getIfAvailable());
    }

    /**
     * auth-service's keys, as Spring's own {@code withJwkSetUri} fetches them (cached, no rate limit, refreshed when a
     * token names an unknown key), plus outage tolerance: while auth-service cannot be reached, the last key set
     * fetched stays in use for {@code outage-tolerance}. Without it every service refused every token it had not
     * verified yet with a 503 as soon as its cached key set was 5 minutes old — an auth-service outage became an
     * outage of the whole platform (chaos scenario auth-down).
     */
    static JWKSource<SecurityContext> keySource(String jwksUri, AgencySecurityProperties.KeySet settings) {
        java.net.URL url;
        try {
            url = java.net.URI.create(jwksUri).toURL();
        } catch (java.net.MalformedURLException | IllegalArgumentException e) {
            throw new IllegalStateException("agency.security.jwks-uri is not a URL: " + jwksUri, e);
        }
        JWKSourceBuilder<SecurityContext> builder = JWKSourceBuilder.<SecurityContext>create(url)
                .cache(
                        settings.cacheTtl().toMillis(),
                        Math.min(
                                JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT,
                                settings.cacheTtl().toMillis()))
                .refreshAheadCache(false)
                .rateLimited(false);
        if (settings.outageTolerance().isPositive()) {
            builder.outageTolerant(settings.outageTolerance().toMillis());
        }
        return builder.build();
    }

    /** What this service knows of revoked credentials; nothing is known (and nothing accepted) before the feed is read. */
    @Bean
    @ConditionalOnMissingBean
    Revocations revocations(AgencySecurityProperties properties) {
        return properties.revocation().enabled() ? new Revocations() : Revocations.none();
    }

    @Bean
    @ConditionalOnMissingBean
    TokenRules tokenRules(AgencySecurityProperties properties, Revocations revocations) {
        return new TokenRules(properties.issuer(), properties.audience(), revocations);
    }

    /**
     * The revocation feed: the table and NOTIFY channel when this service has a PostgreSQL database, else
     * auth-service's feed over HTTP.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "agency.security.revocation.enabled", havingValue = "true", matchIfMissing = true)
    RevocationFeed revocationFeed(
            AgencySecurityProperties properties,
            Revocations revocations,
            Environment environment,
            ObjectProvider<ServiceClients> clients) {
        AgencySecurityProperties.Revocation settings = properties.revocation();
        String url = environment.getProperty("spring.datasource.url", "");
        boolean database = switch (settings.source()) {
            case "database" -> true;
            case "http" -> false;
            case "auto" ->
                url.startsWith("jdbc:postgresql:")
                        && ClassUtils.isPresent(
                                "org.postgresql.PGConnection", getClass().getClassLoader());
            default ->
                throw new IllegalArgumentException(
                        "agency.security.revocation.source must be auto, database or http, was " + settings.source());
        };
        if (database) {
            return RevocationFeed.database(
                    revocations,
                    url,
                    environment.getProperty("spring.datasource.username", ""),
                    environment.getProperty("spring.datasource.password", ""),
                    settings.table(),
                    settings.channel(),
                    settings.pollInterval());
        }
        String auth = environment.getProperty("agency.clients.auth.base-url", "");
        ServiceClients serviceClients = clients.getIfAvailable();
        if (settings.url().isBlank() && !auth.isBlank() && serviceClients != null) {
            // auth-service as its other callers reach it: agency.clients.auth (base URL, connect timeout)
            URI feed = URI.create(auth.replaceAll("/+$", "") + "/internal/revocations");
            return RevocationFeed.http(revocations, feed, settings.pollInterval(), serviceClients.httpClient("auth"));
        }
        URI feed = settings.url().isBlank()
                ? URI.create(originOf(properties.jwksUri()) + "/internal/revocations")
                : URI.create(settings.url());
        return RevocationFeed.http(revocations, feed, settings.pollInterval());
    }

    private static String originOf(String uri) {
        URI parsed = URI.create(uri);
        return parsed.getScheme() + "://" + parsed.getRawAuthority();
    }

    @Bean
    WebMvcConfigurer callerArgumentResolverConfigurer() {
        return new WebMvcConfigurer() {
            @Override
            public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                resolvers.add(new CallerArgumentResolver());
            }
        };
    }

    /** Roles and scopes as authorities, after the token passed the {@link TokenRules} (issuer, audience, revocation). */
    static Converter<Jwt, AbstractAuthenticationToken> jwtConverter(TokenRules rules) {
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(jwt -> {
            Collection<GrantedAuthority> authorities = new ArrayList<>();
            Caller.strings(jwt.getClaim("roles"))
                    .forEach(r -> authorities.add(new SimpleGrantedAuthority("ROLE_" + r)));
            Caller.scopes(jwt.getClaim("scope"))
                    .forEach(s -> authorities.add(new SimpleGrantedAuthority("SCOPE_" + s)));
            return authorities;
        });
        return jwt -> {
            rules.check(jwt);
            return converter.convert(jwt);
        };
    }

    /**
     * A token that cannot be checked at all (the JWKS of auth-service did not answer in time) is Spring Security's
     * {@code AuthenticationServiceException}, which its bearer-token filter rethrows, so the client got a 500. Here
     * it reaches the entry point instead, which answers a 503 problem.
     */
    static ObjectPostProcessor<BearerTokenAuthenticationFilter> answerUncheckableTokens() {
        return new ObjectPostProcessor<>() {
            @Override
            public <O extends BearerTokenAuthenticationFilter> O postProcess(O filter) {
                AuthenticationEntryPointFailureHandler failures =
                        new AuthenticationEntryPointFailureHandler(problemEntryPoint());
                failures.setRethrowAuthenticationServiceException(false);
                filter.setAuthenticationFailureHandler(failures);
                return filter;
            }
        };
    }

    static AuthenticationEntryPoint problemEntryPoint() {
        BearerTokenAuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
        return (request, response, authException) -> {
            if (authException instanceof AuthenticationServiceException) {
                Problems.writeUnavailable(
                        request,
                        response,
                        "Tokens cannot be checked right now (the platform's signing keys are out of reach); "
                                + "try again shortly");
                return;
            }
            bearer.commence(request, response, authException); // sets WWW-Authenticate
            boolean hadToken = request.getHeader("Authorization") != null;
            String detail = hadToken
                    ? "The bearer token is invalid, expired, or not signed by this platform"
                    : "Authentication is required: send 'Authorization: Bearer <access token>'";
            Problems.write(
                    request,
                    response,
                    Problems.of(
                            HttpStatus.UNAUTHORIZED, ErrorType.AUTHENTICATION, detail, request.getRequestURI(), null));
        };
    }

    /** A 403 problem; the denial of an authenticated caller is reported to the audit log (asynchronously). */
    static AccessDeniedHandler problemAccessDenied(ObjectProvider<AuthorizationDenialReporter> denials) {
        return (request, response, accessDeniedException) -> {
            denials.ifAvailable(reporter -> reporter.report(request, accessDeniedException));
            String scope = accessDeniedException instanceof AuthorizationDeniedException denied
                            && denied.getAuthorizationResult() instanceof ScopeRule.Decision decision
                    ? decision.requiredScope()
                    : null;
            String detail = scope == null
                    ? "You are not allowed to do this"
                    : "This token's scopes do not include '" + scope + "', which this request needs";
            Problems.write(
                    request,
                    response,
                    Problems.of(HttpStatus.FORBIDDEN, ErrorType.AUTHORIZATION, detail, request.getRequestURI(), null));
        };
    }
}
