package ai.agency.gateway.routing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A route that would proxy /internal/account-data/** stops the gateway from starting. */
class InternalPathsTest {

    @Test
    void routesThatWouldProxyAccountDataAreRefused() {
        for (String path : List.of("/**", "/internal/**", "/internal/account-data/**", "/{any}/account-data/**")) {
            assertThatThrownBy(() -> RoutesConfig.refuseInternalPaths("evil", List.of("/api/v1/x/**", path)))
                    .as(path)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("agency.gateway.routes.evil.paths");
        }
        assertThatCode(() -> RoutesConfig.refuseInternalPaths(
                        "tool", List.of("/api/v1/tools/**", "/mcp", "/mcp/**", "/.well-known/openid-configuration")))
                .doesNotThrowAnyException();
    }
}
