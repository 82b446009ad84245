package ai.agency.gateway.console;

import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.web.header.HeaderWriterFilter;
import org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The web console: static files under {@code classpath:/static/console/} (plain HTML and JavaScript, no build
 * step), at {@code /console/}; {@code /} redirects there. The pages are open; what they call needs a token. They are
 * served with a Content-Security-Policy that lets only the console's own files run, so text that reaches the page
 * (a chat answer, a memory) can never run as script, and no other site can frame it.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfig implements WebMvcConfigurer {

    /**
     * Scripts, styles, images and connections (REST and the WebSocket) from the gateway itself only; no inline
     * script or style, no plugins, no {@code <base>} elsewhere, forms post only here, no framing (clickjacking).
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            + "frame-ancestors 'none'";

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/", "/console/");
        registry.addRedirectViewController("/console", "/console/");
        registry.addViewController("/console/").setViewName("forward:/console/index.html");
    }

    /** Spring Security's header writer, on the console's paths only (the API answers JSON, not pages). */
    @Bean
    FilterRegistrationBean<HeaderWriterFilter> consoleContentSecurityPolicy() {
        HeaderWriterFilter filter =
                new HeaderWriterFilter(List.of(new ContentSecurityPolicyHeaderWriter(CONTENT_SECURITY_POLICY)));
        filter.setShouldWriteHeadersEagerly(true);
        FilterRegistrationBean<HeaderWriterFilter> registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns("/console/*");
        registration.setName("consoleContentSecurityPolicy");
        return registration;
    }
}
