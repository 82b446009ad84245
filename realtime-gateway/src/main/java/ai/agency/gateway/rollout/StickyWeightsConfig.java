package ai.agency.gateway.rollout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.server.mvc.filter.WeightCalculatorFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Spring Cloud Gateway's weight calculator (in place of its default one), which picks each request's side of every
 * weight group from a number in [0, 1). With {@code agency.gateway.rollout.sticky-by-user} that number is a hash of
 * the signed-in user's id, so a user stays on one side (the calculator runs after Spring Security, so the caller is
 * known); the canary's share is the top of the range, so raising its weight only adds users to it. Anonymous requests
 * get a random number.
 */
@Configuration(proxyBeanMethods = false)
class StickyWeightsConfig {

    @Bean
    WeightCalculatorFilter weightCalculatorFilter(RolloutProperties properties) {
        WeightCalculatorFilter filter = new WeightCalculatorFilter();
        if (properties.stickyByUser()) {
            filter.setRandomSupplier(StickyWeightsConfig::pointOfCaller);
        }
        return filter;
    }

    static double pointOfCaller() {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        @Nullable
        String name = caller == null || caller instanceof AnonymousAuthenticationToken ? null : caller.getName();
        return name == null || name.isEmpty() ? ThreadLocalRandom.current().nextDouble() : pointOf(name);
    }

    /** A point in [0, 1) spread evenly over user ids (the top 53 bits of a 64-bit FNV-1a hash, mixed). */
    static double pointOf(String userId) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : userId.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        hash ^= hash >>> 33; // murmur3's finalizer: every input bit reaches the top bits
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        return (hash >>> 11) * 0x1.0p-53;
    }
}
