package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What {@code ./platform compose-test} (scripts/compose-test.sh) relies on in docker-compose.yml: every published
 * port can be moved (the proof runs on 38080+ beside other installs), every image that is pulled can be replaced by
 * a local build of the same contract, every service has a healthcheck the proof waits for, and each service is
 * either started by the proof or named as skipped. Does not run podman (that is the command itself).
 */
class ComposeProofFilesIT {

    /** {@code [127.0.0.1:]${AGENCY_<NAME>_PORT:-<port>}:<port>}: overridable, defaulting to the container's port. */
    /** Services whose published ports and pulled images the proof moves by variable (a new one should join them). */
    private static final Set<String> MOVABLE =
            Set.of("realtime-gateway", "postgres", "prometheus", "grafana", "jaeger");

    private static final Pattern OVERRIDABLE_PORT =
            Pattern.compile("(127\\.0\\.0\\.1:)?\\$\\{(AGENCY_[A-Z0-9_]+_PORT):-(\\d+)}:(\\d+)");

    private final Path root = Path.of(System.getProperty("agency.repository.root", ".."))
            .toAbsolutePath()
            .normalize();

    @Test
    @SuppressWarnings("unchecked")
    void everyPublishedPortCanBeMovedByItsOwnVariableAndDefaultsToTheContainersPort() throws IOException {
        Map<String, List<Object>> published = new TreeMap<>();
        Set<String> variables = new TreeSet<>();
        services().forEach((name, service) -> {
            for (Object mapping : (List<Object>) service.getOrDefault("ports", List.of())) {
                published.computeIfAbsent(name, k -> new ArrayList<>()).add(mapping);
                Matcher m = OVERRIDABLE_PORT.matcher(String.valueOf(mapping));
                if (!MOVABLE.contains(name) && !m.matches()) {
                    assertThat(String.valueOf(mapping))
                            .as(name + ": loopback only")
                            .startsWith("127.0.0.1:");
                    continue;
                }
                assertThat(m.matches())
                        .as(name + " publishes " + mapping + " as [127.0.0.1:]${AGENCY_<NAME>_PORT:-<port>}:<port>")
                        .isTrue();
                assertThat(m.group(3))
                        .as(name + ": the default host port is the container's")
                        .isEqualTo(m.group(4));
                assertThat(variables.add(m.group(2)))
                        .as(m.group(2) + " moves one port only")
                        .isTrue();
            }
        });
        assertThat(published).as("the ports the proof moves").containsKeys(MOVABLE.toArray(String[]::new));
        String script = script();
        for (String variable : variables) {
            assertThat(script).as("compose-test moves " + variable).containsPattern(exported(variable));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceButJaegerHasAHealthcheckTheProofWaitsFor() throws IOException {
        Set<String> without = new TreeSet<>();
        services().forEach((name, service) -> {
            Map<String, Object> health = (Map<String, Object>) service.get("healthcheck");
            if (health == null || health.get("test") == null) {
                without.add(name);
            }
        });
        assertThat(without)
                .as("the all-in-one Jaeger image has no shell tools for a healthcheck")
                .containsExactly("jaeger");
        assertThat(script()).contains("podman healthcheck run");
    }

    @Test
    void everyServiceIsBuiltFromTheDockerfileOrALocalStandInOrNamedAsSkipped() throws IOException {
        String script = script();
        Matcher skippedList = Pattern.compile("CT_SKIPPED=\\(([^)]*)\\)").matcher(script);
        assertThat(skippedList.find()).isTrue();
        Set<String> skipped = new TreeSet<>(List.of(skippedList.group(1).trim().split("\\s+")));
        assertThat(skipped)
                .as("no Debian package: kept for users, not started by the proof")
                .containsExactlyInAnyOrder("grafana", "jaeger");

        Map<String, Map<String, Object>> services = services();
        services.forEach((name, service) -> {
            if (service.containsKey("build")) {
                assertThat(String.valueOf(service.get("image")))
                        .as(name + ": the proof tags its build with AGENCY_IMAGE_TAG")
                        .isEqualTo("agency/" + name + ":${AGENCY_IMAGE_TAG:-local}");
            } else if (!skipped.contains(name)) {
                assertThat(root.resolve("scripts/containers/" + name + ".Containerfile"))
                        .as("the local stand-in for " + name + "'s pulled image")
                        .exists();
                String variable = "AGENCY_" + name.toUpperCase().replace('-', '_') + "_IMAGE";
                if (MOVABLE.contains(name)) {
                    assertThat(String.valueOf(service.get("image")))
                            .as(name + ": a local image of the same contract can stand in")
                            .startsWith("${" + variable + ":-");
                }
            }
        });
        assertThat(services).containsKeys(skipped.toArray(String[]::new));
        assertThat(script)
                .as("the stand-in replaces ${AGENCY_<NAME>_IMAGE:-...} or, without one, takes the image's name")
                .contains("export \"${BASH_REMATCH[1]}=$local_image\"", "podman tag \"$local_image\" \"$raw\"");
        assertThat(Files.readString(root.resolve("platform"))).contains("compose-test) cmd_compose_test");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDatabaseGetsPgvectorWhenItsVolumeIsCreated() throws IOException {
        List<String> volumes = (List<String>) services().get("postgres").get("volumes");
        assertThat(volumes)
                .as("the migrations use the vector type and create no extension")
                .contains("./scripts/containers/postgres-initdb.sql:/docker-entrypoint-initdb.d/10-vector.sql:ro");
        assertThat(Files.readString(root.resolve("scripts/containers/postgres-initdb.sql")))
                .contains("CREATE EXTENSION IF NOT EXISTS vector;", "\\connect template1");
        assertThat(Files.readString(root.resolve("scripts/containers/postgres-entrypoint.sh")))
                .as("the local stand-in runs them too")
                .contains("/docker-entrypoint-initdb.d/*.sql");
        assertThat(Files.readString(root.resolve("k8s/overlays/dev/postgres.yaml")))
                .as("so does Kubernetes' development database")
                .contains("CREATE EXTENSION IF NOT EXISTS vector;", "mountPath: /docker-entrypoint-initdb.d");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Map<String, Object>> services() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(root.resolve("docker-compose.yml")));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    /** {@code export ... NAME=} on one line of the script. */
    private static Pattern exported(String variable) {
        return Pattern.compile("(?m)^\\s*export\\b.*\\b" + variable + "=");
    }

    private String script() throws IOException {
        return Files.readString(root.resolve("scripts/compose-test.sh"));
    }
}
