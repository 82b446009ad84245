package ai.agency.common.security;

import java.util.List;

/**
 * A bean that adds paths needing a valid token to those of {@code agency.security.protected-paths} — e.g. the
 * gateway protects exactly the prefixes it routes, so that unknown paths still answer 404.
 */
@FunctionalInterface
public interface ProtectedPaths {

    List<String> paths();
}
