package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Static checks of what cannot be run here (no Docker engine, no cluster): docker-compose.yml and every Kubernetes
 * manifest under k8s/ are parsed and held to the platform's invariants. Does not start the platform.
 */
class DeploymentFilesIT {

    /** The one list of services (platform.services), which the launcher reads too. */
    static final PlatformServices SERVICES = PlatformServices.read();

    /** service -> HTTP port, from platform.services; each application.yml is checked against it below. */
    static final Map<String, Integer> PORTS = SERVICES.ports();

    /**
     * Calls between services (docs/architecture.md; tool -> multimodal from tool-service's application.yml; auth ->
     * memory, tool, orchestration and the gateway: a user's export and erasure jobs, {@code agency.auth.account-data}
     * in auth-service's application.yml, which reach the gateway on its public port).
     */
    static final Map<String, Set<String>> CALLS = Map.of(
            "realtime-gateway",
                    Set.of(
                            "auth-service",
                            "memory-service",
                            "tool-service",
                            "orchestration-service",
                            "multimodal-service"),
            "orchestration-service", Set.of("auth-service", "memory-service", "tool-service", "multimodal-service"),
            "tool-service", Set.of("auth-service", "memory-service", "multimodal-service"),
            "memory-service", Set.of("auth-service"),
            "multimodal-service", Set.of("auth-service"),
            "auth-service", Set.of("memory-service", "tool-service", "orchestration-service", "realtime-gateway"));

    static final Set<String> WITHOUT_DATABASE = Set.of("multimodal-service");

    /** The gateway's actuator port (health details, /actuator/prometheus): never published, never routed. */
    static final int GATEWAY_MANAGEMENT_PORT =
            SERVICES.get("realtime-gateway").managementPort().orElseThrow();

    /** Secrets compose must be given (from .env): it refuses to start without them, there is no default. */
    static final Set<String> REQUIRED_COMPOSE_SECRETS =
            Set.of("AGENCY_MASTER_KEY", "AGENCY_DB_PASSWORD", "AGENCY_USAGE_INGEST_SECRET", "GRAFANA_ADMIN_PASSWORD");

    /** Environment variables that hold a secret, by name. */
    static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|MASTER_KEY|SECRET|API_KEY).*");

    /** Where the actuator of a service answers: the gateway's apart from its public port. */
    static int managementPort(String service) {
        return SERVICES.get(service).actuatorPort();
    }

    private final Path root = Path.of(System.getProperty("agency.repository.root", ".."))
            .toAbsolutePath()
            .normalize();

    // ------------------------------------------------------------------------------------------ platform.services

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceListensWhereThePlatformServicesFileSaysAndPointsAtItsPeersThere() throws IOException {
        Pattern localUrl = Pattern.compile("http://localhost:(\\d+)");
        Set<Integer> known = new TreeSet<>(PORTS.values());
        for (PlatformServices.Service service : SERVICES.all()) {
            Path yml = root.resolve(service.name()).resolve("src/main/resources/application.yml");
            String text = Files.readString(yml);
            // the first document holds the defaults; later ones are profiles (prod, …)
            Map<String, Object> config =
                    (Map<String, Object>) new Yaml().loadAll(text).iterator().next();
            assertThat(((Map<String, Object>) config.get("server")).get("port"))
                    .as("server.port of %s", yml)
                    .isEqualTo(service.port());
            Object management =
                    config.get("management") instanceof Map<?, ?> m ? ((Map<String, Object>) m).get("server") : null;
            Object managementPort = management instanceof Map<?, ?> ms ? ms.get("port") : null;
            assertThat(managementPort == null ? Optional.empty() : Optional.of(managementPort))
                    .as("management.server.port of %s", yml)
                    .isEqualTo(service.managementPort());
            localUrl.matcher(text)
                    .results()
                    .forEach(url -> assertThat(Integer.parseInt(url.group(1)))
                            .as("%s in %s names a port of platform.services", url.group(), yml)
                            .isIn(known));
        }
        assertThat(SERVICES.names())
                .as("the start order: auth-service first (the others fetch its key set)")
                .startsWith("auth-service")
                .containsExactlyInAnyOrderElementsOf(CALLS.keySet());
    }

    /** Migrations that landed with dotted versions before the rule; deployments applied them, so they keep their names. */
    static final Set<String> LANDED_DOTTED_MIGRATIONS = Set.of(
            "V2_1__channel_delivery_claims.sql",
            "V2_2__run_credentials.sql",
            "V2_9__conversation_summary_coverage.sql");

    @Test
    void newMigrationsTakePlainVersionsAfterTheHighestOne() throws IOException {
        Pattern plain = Pattern.compile("V(\\d+)__[a-z0-9_]+\\.sql");
        for (String service : SERVICES.names()) {
            Path dir = root.resolve(service).resolve("src/main/resources/db/migration");
            if (!Files.isDirectory(dir)) {
                continue; // a service without a database
            }
            List<String> names;
            try (Stream<Path> files = Files.list(dir)) {
                names = files.map(f -> f.getFileName().toString()).sorted().toList();
            }
            Set<Integer> versions = new TreeSet<>();
            for (String name : names) {
                if (LANDED_DOTTED_MIGRATIONS.contains(name)) {
                    continue;
                }
                var version = plain.matcher(name);
                assertThat(version.matches())
                        .as(
                                "%s/%s: migrations are V<n>__<words_in_snake_case>.sql (V3, V4, … after the highest)",
                                service, name)
                        .isTrue();
                assertThat(versions.add(Integer.parseInt(version.group(1))))
                        .as("%s: version of %s used twice", service, name)
                        .isTrue();
            }
            assertThat(versions)
                    .as("%s: plain versions run 1, 2, 3, … without a gap", service)
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, versions.size())
                            .boxed()
                            .toList());
        }
    }

    // ------------------------------------------------------------------------------------------ docker compose

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsPostgresTheSixServicesPrometheusAndGrafanaWithHealthChecks() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(root.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services.keySet())
                .containsExactlyInAnyOrder(
                        "postgres",
                        "realtime-gateway",
                        "auth-service",
                        "memory-service",
                        "tool-service",
                        "orchestration-service",
                        "multimodal-service",
                        "prometheus",
                        "alertmanager",
                        "grafana",
                        "jaeger");
        Set<String> volumes = ((Map<String, Object>) compose.get("volumes")).keySet();

        Map<String, Object> postgres = services.get("postgres");
        assertThat(withDefaults(postgres.get("image"))).isEqualTo("pgvector/pgvector:pg17");
        assertThat((Map<String, Object>) postgres.get("environment"))
                .containsEntry("POSTGRES_DB", "agency")
                .containsEntry("POSTGRES_USER", "agency");
        assertThat(((List<String>) postgres.get("ports")).stream().map(DeploymentFilesIT::withDefaults))
                .as("./platform uses localhost:5432, on the loopback interface only")
                .containsExactly("127.0.0.1:5432:5432");
        assertThat(namedVolumes(postgres)).containsExactly("pgdata");
        assertThat(healthTest(postgres)).contains("pg_isready");

        for (var entry : PORTS.entrySet()) {
            String name = entry.getKey();
            String port = entry.getValue().toString();
            Map<String, Object> service = services.get(name);
            Map<String, Object> build = (Map<String, Object>) service.get("build");
            assertThat(build.get("dockerfile")).as(name).isEqualTo("Dockerfile");
            assertThat((Map<String, Object>) build.get("args")).as(name).containsEntry("MODULE", name);
            Map<String, Object> env = (Map<String, Object>) service.get("environment");
            assertThat(env).as(name).containsEntry("SERVER_PORT", port);
            assertThat(env.get("AGENCY_SECURITY_JWKS_URI"))
                    .as(name)
                    .isEqualTo("http://auth-service:8081/.well-known/jwks.json");
            if (!WITHOUT_DATABASE.contains(name)) {
                assertThat(env.get("AGENCY_DB_URL")).as(name).isEqualTo("jdbc:postgresql://postgres:5432/agency");
                assertThat(dependsOn(service)).as(name).containsEntry("postgres", "service_healthy");
            }
            assertThat(healthTest(service)).as(name).contains("healthcheck", "/actuator/health/readiness");
            if (!name.equals("auth-service")) {
                assertThat(dependsOn(service))
                        .as(name + " needs the JWKS")
                        .containsEntry("auth-service", "service_healthy");
            }
            for (String callee : CALLS.get(name)) {
                if (!callee.equals("auth-service")) {
                    String expected = "http://" + callee + ":" + PORTS.get(callee);
                    assertThat(env.values())
                            .as(name + " knows where " + callee + " answers")
                            .contains(expected);
                }
            }
        }
        Map<String, Set<String>> waitsFor = new TreeMap<>();
        services.forEach(
                (name, service) -> waitsFor.put(name, dependsOn(service).keySet()));
        assertThat(waitsFor.get("auth-service"))
                .as("auth-service waits for PostgreSQL only: the others wait for it (their JWKS)")
                .containsExactly("postgres");
        waitsFor.keySet()
                .forEach(name -> assertThat(dependencyCycle(name, waitsFor, new ArrayList<>()))
                        .as("depends_on of " + name + " leads back to it")
                        .isEmpty());
        Map<String, Object> gatewayEnv =
                (Map<String, Object>) services.get("realtime-gateway").get("environment");
        assertThat(gatewayEnv)
                .as("the healthcheck script asks the management port")
                .containsEntry("MANAGEMENT_SERVER_PORT", String.valueOf(GATEWAY_MANAGEMENT_PORT));
        for (String route : List.of("AUTH", "MEMORY", "TOOL", "ORCHESTRATION", "MULTIMODAL")) {
            String target = route.toLowerCase() + "-service";
            assertThat(gatewayEnv.get("AGENCY_GATEWAY_ROUTES_" + route + "_URI"))
                    .isEqualTo("http://" + target + ":" + PORTS.get(target));
        }

        Map<String, Object> prometheus = services.get("prometheus");
        assertThat((List<String>) prometheus.get("volumes"))
                .contains(
                        "./observability/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                        "./observability/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
        assertThat(healthTest(prometheus)).contains("/-/ready");
        Map<String, Object> alertmanager = services.get("alertmanager");
        assertThat((List<String>) alertmanager.get("volumes"))
                .contains(
                        "./observability/alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro",
                        "${AGENCY_ALERTMANAGER_SECRETS:-./observability/alertmanager/secrets}:/etc/alertmanager/secrets:ro");
        assertThat(root.resolve("observability/alertmanager/secrets/README.md")).exists();
        assertThat(healthTest(alertmanager)).contains("/-/ready");
        assertThat(alertmanager)
                .as("Alertmanager must deliver exactly when the services are down: it waits for none of them")
                .doesNotContainKey("depends_on");
        for (String name : PORTS.keySet()) {
            assertThat(String.valueOf(
                            ((Map<String, Object>) services.get(name).get("environment")).get("AGENCY_OTLP_ENDPOINT")))
                    .as(name + " exports its spans to Jaeger's OTLP/HTTP receiver")
                    .endsWith("http://jaeger:4318/v1/traces}");
        }
        Map<String, Object> grafana = services.get("grafana");
        assertThat((List<String>) grafana.get("volumes"))
                .contains(
                        "./observability/grafana/provisioning:/etc/grafana/provisioning:ro",
                        "./observability/grafana/dashboards:/etc/grafana/dashboards:ro");
        assertThat(dependsOn(grafana)).containsEntry("prometheus", "service_healthy");
        assertThat(healthTest(grafana)).contains("/api/health");

        for (Map<String, Object> service : services.values()) {
            assertThat(volumes).containsAll(namedVolumes(service));
            for (String source : bindSources(service)) {
                assertThat(root.resolve(source)).as("bind mount " + source).exists();
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNetworkNeighbourReachesOnlyTheGatewaysPublicPortOfTheComposeInstall() throws IOException {
        // before: PostgreSQL was published on 0.0.0.0:5432 (password "agency"), so anyone on the network could log in
        Map<String, Object> compose = new Yaml().load(Files.readString(root.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        Map<String, List<String>> openToTheNetwork = new TreeMap<>();
        services.forEach((name, service) -> {
            for (Object mapping : (List<Object>) service.getOrDefault("ports", List.of())) {
                String published = withDefaults(mapping);
                if (!published.startsWith("127.0.0.1:")) {
                    openToTheNetwork
                            .computeIfAbsent(name, k -> new ArrayList<>())
                            .add(published);
                }
            }
        });
        assertThat(openToTheNetwork).isEqualTo(Map.of("realtime-gateway", List.of("8080:8080")));
        for (String name : PORTS.keySet()) {
            if (!name.equals("realtime-gateway")) {
                assertThat(services.get(name))
                        .as(name + " is reached inside the compose network only")
                        .doesNotContainKey("ports");
            }
        }
        assertThat(String.valueOf(services.get("realtime-gateway").get("ports")))
                .as("the gateway's management port is never published")
                .doesNotContain(String.valueOf(GATEWAY_MANAGEMENT_PORT));
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeHoldsNoPasswordAndRefusesToStartWithoutTheSecretsOfItsEnvFile() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(root.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        Pattern interpolation = Pattern.compile("\\$\\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?}");
        Set<String> required = new TreeSet<>();
        services.forEach((name, service) -> {
            Map<String, Object> env = (Map<String, Object>) service.getOrDefault("environment", Map.of());
            env.forEach((key, value) -> {
                if (!SECRET_NAME.matcher(key).matches()) {
                    return;
                }
                var m = interpolation.matcher(String.valueOf(value));
                assertThat(m.matches())
                        .as(name + " " + key + " comes from the environment or .env, never from this file: " + value)
                        .isTrue();
                String operator = m.group(2);
                if (operator != null && operator.endsWith("?")) {
                    required.add(m.group(1));
                } else if (operator != null) {
                    assertThat(m.group(3))
                            .as(name + " " + key + ": no default password")
                            .isIn("", "not-set");
                }
            });
        });
        assertThat(required)
                .as("compose refuses to start without these (${NAME:?...})")
                .containsAll(REQUIRED_COMPOSE_SECRETS);

        Path example = root.resolve(".env.example");
        Map<String, String> template = new TreeMap<>();
        for (String line : Files.readAllLines(example)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                template.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        for (String secret : REQUIRED_COMPOSE_SECRETS) {
            assertThat(template)
                    .as(".env.example names " + secret + " without a value")
                    .containsEntry(secret, "");
        }
        assertThat(Files.readAllLines(root.resolve(".gitignore")))
                .as(".env is never committed")
                .contains(".env");
        assertThat(Files.readAllLines(root.resolve(".dockerignore")))
                .as(".env never enters an image's build context")
                .contains(".env");
        assertThat(Files.readString(root.resolve("platform")))
                .as("the launcher writes .env")
                .contains("compose-env) cmd_compose_env");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryServiceByItsComposeHostnameAndGrafanaIsProvisioned() throws IOException {
        Map<String, Object> config =
                new Yaml().load(Files.readString(root.resolve("observability/prometheus/prometheus.yml")));
        Set<String> targets = new TreeSet<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            if ("agency".equals(job.get("job_name"))) {
                assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
                for (Map<String, Object> group : (List<Map<String, Object>>) job.get("static_configs")) {
                    targets.addAll((List<String>) group.get("targets"));
                }
            }
        }
        assertThat(targets)
                .containsExactlyInAnyOrderElementsOf(PORTS.keySet().stream()
                        .map(service -> service + ":" + managementPort(service))
                        .toList());
        assertThat(String.valueOf(config.get("alerting")))
                .as("compose's Prometheus sends its alerts to compose's Alertmanager")
                .contains("targets=[alertmanager:9093]");
        Map<String, Object> k8sConfig =
                new Yaml().load(Files.readString(root.resolve("observability/prometheus/prometheus-k8s.yml")));
        assertThat(String.valueOf(k8sConfig.get("alerting")))
                .as("the Kubernetes Prometheus sends its alerts to the monitoring component's Alertmanager")
                .contains("targets=[alertmanager.agency.svc:9093]");
        Map<String, Object> datasources = new Yaml()
                .load(Files.readString(root.resolve("observability/grafana/provisioning/datasources/prometheus.yml")));
        assertThat((List<Map<String, Object>>) datasources.get("datasources"))
                .anySatisfy(ds -> assertThat(ds)
                        .containsEntry("uid", "prometheus")
                        .containsEntry("url", "http://prometheus:9090"));
        Map<String, Object> dashboards = new Yaml()
                .load(Files.readString(root.resolve("observability/grafana/provisioning/dashboards/agency.yml")));
        assertThat(dashboards.toString()).contains("path=/etc/grafana/dashboards");
    }

    @Test
    void dockerfileIsMultiStageLayeredNonRootOnAJreOf21OrNewer() throws IOException {
        String dockerfile = Files.readString(root.resolve("Dockerfile"));
        assertThat(dockerfile)
                .contains("ARG MODULE", "AS build", "-pl \"$MODULE\" -am package")
                .contains("-Djarmode=tools -jar app.jar extract --layers --launcher")
                .contains("org.springframework.boot.loader.launch.JarLauncher")
                .containsPattern("(?m)^USER 10001")
                .containsPattern("JRE_IMAGE=eclipse-temurin:(2[1-9]|[3-9]\\d)-jre");
        for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
            assertThat(dockerfile).contains("/layers/extracted/" + layer + "/");
        }
        assertThat(Files.readString(root.resolve(".dockerignore"))).contains("**/target/");
        // the jars the launcher built, for machines whose containers cannot reach Maven Central (compose-test)
        assertThat(dockerfile)
                .contains("AS runtime-prebuilt", "COPY ${MODULE}/target/${MODULE}.jar app.jar")
                .contains("FROM ${JRE_IMAGE} AS runtime-base", "FROM runtime-base AS runtime-prebuilt");
        List<String> stages =
                dockerfile.lines().filter(line -> line.startsWith("FROM ")).toList();
        assertThat(stages.getLast())
                .as("docker build without --target builds with Maven: the default target is the last stage")
                .isEqualTo("FROM runtime-base AS runtime");
    }

    /** A compose value with every {@code ${NAME:-default}} replaced by its default: what compose uses by default. */
    static String withDefaults(Object value) {
        return Pattern.compile("\\$\\{[A-Z0-9_]+:-([^}]*)}")
                .matcher(String.valueOf(value))
                .replaceAll(match -> Matcher.quoteReplacement(match.group(1)));
    }

    /** The services whose application.yml records usage ({@code agency.usage.record} other than none), and the owner. */
    @SuppressWarnings("unchecked")
    private Set<String> usageSecretHolders() throws IOException {
        Set<String> holders = new TreeSet<>(Set.of("auth-service"));
        for (PlatformServices.Service service : SERVICES.all()) {
            Map<String, Object> config = (Map<String, Object>) new Yaml()
                    .loadAll(Files.readString(
                            root.resolve(service.name()).resolve("src/main/resources/application.yml")))
                    .iterator()
                    .next();
            Object record = path(config, "agency", "usage", "record");
            if (record != null && !"none".equals(record)) {
                holders.add(service.name());
            }
        }
        return holders;
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceThatRecordsUsageAndAuthServiceShareTheIngestSecretFromASecretAndNoOneElseHasIt()
            throws IOException {
        // without it anything on the services' network could post usage for a user and spend their quotas
        Set<String> holders = usageSecretHolders();
        assertThat(holders)
                .containsExactlyInAnyOrder(
                        "auth-service",
                        "memory-service",
                        "tool-service",
                        "orchestration-service",
                        "multimodal-service");
        Map<String, Object> compose = new Yaml().load(Files.readString(root.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        for (String name : SERVICES.names()) {
            Object value = ((Map<String, Object>) services.get(name).getOrDefault("environment", Map.of()))
                    .get("AGENCY_USAGE_INGEST_SECRET");
            if (holders.contains(name)) {
                assertThat(String.valueOf(value)).as(name).startsWith("${AGENCY_USAGE_INGEST_SECRET:?");
            } else {
                assertThat(value).as(name + " has no use for the usage secret").isNull();
            }
        }
        Map<String, Map<String, Object>> deployments = byName(manifests(root.resolve("k8s/base")), "Deployment");
        for (var deployment : deployments.entrySet()) {
            Map<String, Object> container = list(
                            map(map(map(deployment.getValue(), "spec"), "template"), "spec"), "containers")
                    .getFirst();
            List<Map<String, Object>> env = list(container, "env");
            Map<String, Object> secretEnv = env.stream()
                    .filter(e -> "AGENCY_USAGE_INGEST_SECRET".equals(e.get("name")))
                    .findFirst()
                    .orElse(null);
            if (holders.contains(deployment.getKey())) {
                assertThat(secretEnv).as(deployment.getKey()).isNotNull();
                assertThat(path(secretEnv, "valueFrom", "secretKeyRef"))
                        .as(deployment.getKey())
                        .isEqualTo(Map.of("name", "agency-secrets", "key", "AGENCY_USAGE_INGEST_SECRET"));
            } else {
                assertThat(secretEnv)
                        .as(deployment.getKey() + " has no use for the usage secret")
                        .isNull();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ kubernetes

    @Test
    void everyDeploymentHasProbesResourcesAndAHardenedSecurityContext() throws IOException {
        List<Map<String, Object>> base = manifests(root.resolve("k8s/base"));
        Map<String, Map<String, Object>> deployments = byName(base, "Deployment");
        assertThat(deployments.keySet()).containsExactlyInAnyOrderElementsOf(PORTS.keySet());
        for (var entry : deployments.entrySet()) {
            String name = entry.getKey();
            Map<String, Object> spec = map(entry.getValue(), "spec");
            assertThat(map(spec, "strategy")).as(name).containsEntry("type", "RollingUpdate");
            Map<String, Object> pod = map(map(spec, "template"), "spec");
            assertThat(map(pod, "securityContext")).as(name).containsEntry("runAsNonRoot", true);
            assertThat(pod.get("serviceAccountName")).as(name).isEqualTo(name);
            assertThat((Integer) pod.get("terminationGracePeriodSeconds"))
                    .as(name + ": longer than preStop 10 s + shutdown phase 20 s")
                    .isGreaterThan(30);
            Map<String, Object> container = list(pod, "containers").getFirst();
            String probePort = name.equals("realtime-gateway") ? "management" : "http";
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(path(container, probe, "httpGet", "port"))
                        .as(name + " " + probe)
                        .isEqualTo(probePort);
            }
            assertThat(path(container, "livenessProbe", "httpGet", "path"))
                    .as(name)
                    .isEqualTo("/actuator/health/liveness");
            assertThat(path(container, "readinessProbe", "httpGet", "path"))
                    .as(name)
                    .isEqualTo("/actuator/health/readiness");
            assertThat(path(container, "startupProbe", "httpGet", "path"))
                    .as(name)
                    .isNotNull();
            assertThat(map(map(container, "resources"), "requests")).as(name).containsKeys("cpu", "memory");
            assertThat(map(map(container, "resources"), "limits")).as(name).containsKey("memory");
            Map<String, Object> security = map(container, "securityContext");
            assertThat(security)
                    .as(name)
                    .containsEntry("readOnlyRootFilesystem", true)
                    .containsEntry("allowPrivilegeEscalation", false)
                    .containsEntry("runAsNonRoot", true);
            assertThat(path(security, "capabilities", "drop")).as(name).isEqualTo(List.of("ALL"));
            assertThat(list(container, "volumeMounts"))
                    .as(name + " writable /tmp")
                    .anySatisfy(m -> assertThat(m).containsEntry("mountPath", "/tmp"));
            assertThat(path(container, "lifecycle", "preStop", "exec", "command"))
                    .as(name)
                    .isNotNull();
            Map<String, Object> port = list(container, "ports").getFirst();
            assertThat(port).as(name).containsEntry("name", "http").containsEntry("containerPort", PORTS.get(name));
            assertThat(list(container, "env"))
                    .as(name + " SERVER_PORT")
                    .contains(Map.of(
                            "name", "SERVER_PORT", "value", PORTS.get(name).toString()));
            assertThat(path(map(spec, "template"), "metadata", "annotations"))
                    .as(name)
                    .isEqualTo(Map.of(
                            "prometheus.io/scrape", "true",
                            "prometheus.io/path", "/actuator/prometheus",
                            "prometheus.io/port", String.valueOf(managementPort(name))));
        }
    }

    @Test
    void servicesHpasAndPdbsTargetExistingDeploymentsWithMatchingPorts() throws IOException {
        List<Map<String, Object>> base = manifests(root.resolve("k8s/base"));
        Map<String, Map<String, Object>> deployments = byName(base, "Deployment");
        Map<String, Map<String, Object>> services = byName(base, "Service");
        assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(deployments.keySet());
        for (var entry : services.entrySet()) {
            String name = entry.getKey();
            Map<String, Object> selector = map(map(entry.getValue(), "spec"), "selector");
            assertThat(selector).as(name).isEqualTo(podLabelsMatched(deployments.get(name), selector));
            Map<String, Object> port =
                    list(map(entry.getValue(), "spec"), "ports").getFirst();
            assertThat(port).as(name).containsEntry("port", PORTS.get(name)).containsEntry("targetPort", "http");
        }
        Map<String, Map<String, Object>> hpas = byName(base, "HorizontalPodAutoscaler");
        assertThat(hpas.keySet()).containsExactlyInAnyOrderElementsOf(deployments.keySet());
        hpas.forEach((name, hpa) -> {
            Map<String, Object> target = map(map(hpa, "spec"), "scaleTargetRef");
            assertThat(target).as(name).containsEntry("kind", "Deployment");
            assertThat(deployments).as(name).containsKey((String) target.get("name"));
            assertThat((Integer) map(hpa, "spec").get("minReplicas")).as(name).isGreaterThanOrEqualTo(2);
        });
        Map<String, Map<String, Object>> pdbs = byName(base, "PodDisruptionBudget");
        assertThat(pdbs.keySet()).containsExactlyInAnyOrderElementsOf(deployments.keySet());
        pdbs.forEach((name, pdb) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> matchLabels = (Map<String, Object>) path(map(pdb, "spec"), "selector", "matchLabels");
            assertThat(deployments.values())
                    .as(name + " selects a Deployment")
                    .anySatisfy(
                            d -> assertThat(podLabelsMatched(d, matchLabels)).isEqualTo(matchLabels));
        });
        assertThat(byName(base, "ServiceAccount").keySet()).containsExactlyInAnyOrderElementsOf(deployments.keySet());
        Map<String, Object> config = byName(base, "ConfigMap").get("agency-config");
        @SuppressWarnings("unchecked")
        Map<String, String> data = (Map<String, String>) config.get("data");
        CALLS.values().stream()
                .flatMap(Set::stream)
                .distinct()
                .forEach(callee -> assertThat(data.values())
                        .as("agency-config points at " + callee)
                        .contains("http://" + callee + ":" + PORTS.get(callee)));
        Map<String, Object> ingress = byName(base, "Ingress").get("realtime-gateway");
        assertThat(path(ingress, "metadata", "annotations").toString()).contains("proxy-read-timeout=3600");
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesCommitsNoSecretAndTheIngressReachesOnlyTheGatewaysPublicPort() throws IOException {
        List<Path> kustomizations;
        try (Stream<Path> files = Files.walk(root.resolve("k8s"))) {
            kustomizations = files.filter(f -> f.getFileName().toString().equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        }
        List<Map<String, Object>> all = new ArrayList<>();
        for (Path kustomization : kustomizations) {
            all.addAll(manifests(kustomization.getParent()));
        }
        assertThat(all).as("a Secret with data in the repository").noneMatch(m -> "Secret".equals(m.get("kind")));
        for (Path kustomization : kustomizations) {
            Map<String, Object> k = new Yaml().load(Files.readString(kustomization));
            assertThat(k)
                    .as(kustomization + ": secrets are created by the operator")
                    .doesNotContainKey("secretGenerator");
        }
        for (Map<String, Object> manifest : all) {
            String text = new Yaml().dump(manifest);
            assertThat(text)
                    .as(map(manifest, "metadata").get("name") + ": a secret's value is never written down")
                    .doesNotContainPattern("(?s)name: [A-Z_]*(PASSWORD|MASTER_KEY|SECRET)\\s*\\n\\s*value:");
            if ("Service".equals(manifest.get("kind"))) {
                Map<String, Object> spec = map(manifest, "spec");
                assertThat(spec.getOrDefault("type", "ClusterIP"))
                        .as(map(manifest, "metadata").get("name") + " is reachable inside the cluster only")
                        .isEqualTo("ClusterIP");
                assertThat(String.valueOf(spec.get("ports")))
                        .as("no Service exposes the gateway's management port")
                        .doesNotContain("management")
                        .doesNotContain(String.valueOf(GATEWAY_MANAGEMENT_PORT));
            }
        }
        List<Map<String, Object>> ingresses =
                all.stream().filter(m -> "Ingress".equals(m.get("kind"))).toList();
        assertThat(ingresses).hasSize(1);
        for (Map<String, Object> rule : list(map(ingresses.getFirst(), "spec"), "rules")) {
            for (Map<String, Object> route : list(map(rule, "http"), "paths")) {
                assertThat(path(route, "backend", "service"))
                        .as("the Ingress routes to the gateway's public port only, never to its management port")
                        .isEqualTo(Map.of("name", "realtime-gateway", "port", Map.of("name", "http")));
            }
        }
        Map<String, Object> gateway =
                byName(manifests(root.resolve("k8s/base")), "Deployment").get("realtime-gateway");
        Map<String, Object> container = list(map(map(map(gateway, "spec"), "template"), "spec"), "containers")
                .getFirst();
        assertThat(list(container, "ports"))
                .contains(Map.of("name", "management", "containerPort", GATEWAY_MANAGEMENT_PORT, "protocol", "TCP"));
        assertThat(list(container, "env"))
                .contains(Map.of("name", "MANAGEMENT_SERVER_PORT", "value", String.valueOf(GATEWAY_MANAGEMENT_PORT)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void networkPoliciesDenyAllAndAllowExactlyTheDocumentedCalls() throws IOException {
        List<Map<String, Object>> policies = manifests(root.resolve("k8s/components/network-policies")).stream()
                .filter(m -> "NetworkPolicy".equals(m.get("kind")))
                .toList();
        Map<String, Map<String, Object>> byName = new TreeMap<>();
        policies.forEach(p -> byName.put((String) map(p, "metadata").get("name"), p));
        Map<String, Object> denyAll = map(byName.get("default-deny-all"), "spec");
        assertThat(denyAll.get("podSelector")).isEqualTo(Map.of());
        assertThat((List<String>) denyAll.get("policyTypes")).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(denyAll).doesNotContainKeys("ingress", "egress");

        Map<String, Set<String>> allowedIn = new TreeMap<>();
        Map<String, Set<String>> allowedOut = new TreeMap<>();
        for (Map<String, Object> policy : policies) {
            Map<String, Object> spec = map(policy, "spec");
            Object app = ((Map<String, Object>) spec.get("podSelector")).getOrDefault("matchLabels", Map.of())
                            instanceof Map<?, ?> labels
                    ? labels.get("app.kubernetes.io/name")
                    : null;
            if (app == null) {
                continue;
            }
            for (Map<String, Object> rule : (List<Map<String, Object>>) spec.getOrDefault("ingress", List.of())) {
                for (Map<String, Object> peer : (List<Map<String, Object>>) rule.get("from")) {
                    Map<String, Object> pods = (Map<String, Object>) peer.get("podSelector");
                    if (pods != null) {
                        allowedIn
                                .computeIfAbsent((String) app, k -> new TreeSet<>())
                                .add((String)
                                        ((Map<String, Object>) pods.get("matchLabels")).get("app.kubernetes.io/name"));
                    }
                }
                boolean fromMonitoringOnly = ((List<Map<String, Object>>) rule.get("from"))
                        .stream()
                                .allMatch(peer -> String.valueOf(peer.get("namespaceSelector"))
                                        .contains("monitoring"));
                int port = fromMonitoringOnly ? managementPort((String) app) : PORTS.get(app);
                assertThat((List<Map<String, Object>>) rule.get("ports"))
                        .as(app + " ingress port")
                        .containsExactly(Map.of("protocol", "TCP", "port", port));
            }
            for (Map<String, Object> rule : (List<Map<String, Object>>) spec.getOrDefault("egress", List.of())) {
                for (Map<String, Object> peer : (List<Map<String, Object>>) rule.get("to")) {
                    Map<String, Object> pods = (Map<String, Object>) peer.get("podSelector");
                    String target = pods == null
                            ? null
                            : (String) ((Map<String, Object>) pods.get("matchLabels")).get("app.kubernetes.io/name");
                    if (target != null && PORTS.containsKey(target)) {
                        allowedOut
                                .computeIfAbsent((String) app, k -> new TreeSet<>())
                                .add(target);
                        assertThat((List<Map<String, Object>>) rule.get("ports"))
                                .as(app + " -> " + target)
                                .containsExactly(Map.of("protocol", "TCP", "port", PORTS.get(target)));
                    }
                }
            }
        }
        Map<String, Set<String>> expectedIn = new TreeMap<>();
        Map<String, Set<String>> expectedOut = new TreeMap<>();
        CALLS.forEach((caller, callees) -> {
            if (!callees.isEmpty()) {
                expectedOut.put(caller, new TreeSet<>(callees));
            }
            callees.forEach(callee ->
                    expectedIn.computeIfAbsent(callee, k -> new TreeSet<>()).add(caller));
        });
        assertThat(allowedIn).as("ingress allowed from platform pods").isEqualTo(expectedIn);
        assertThat(allowedOut).as("egress allowed to platform pods").isEqualTo(expectedOut);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theMonitoringComponentRunsAlertmanagerWithTheCommittedConfigurationAndNoSecret() throws IOException {
        List<Map<String, Object>> monitoring = manifests(root.resolve("k8s/components/monitoring"));
        String config = Files.readString(root.resolve("observability/alertmanager/alertmanager.yml"));
        assertThat(byName(monitoring, "ConfigMap").get("alertmanager-config").get("data"))
                .as(
                        "k8s/components/monitoring/alertmanager.yaml holds observability/alertmanager/alertmanager.yml verbatim")
                .isEqualTo(Map.of("alertmanager.yml", config));
        assertThat(config)
                .as("receiver secrets are read from files, never written into the configuration")
                .contains(
                        "slack_api_url_file: /etc/alertmanager/secrets/",
                        "smtp_auth_password_file: /etc/alertmanager/secrets/")
                .doesNotContainPattern("(?m)^\\s*(slack_api_url|smtp_auth_password|api_url|auth_password):")
                .doesNotContain("hooks.slack.com");

        Map<String, Object> deployment = byName(monitoring, "Deployment").get("alertmanager");
        Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
        assertThat(map(pod, "securityContext")).containsEntry("runAsNonRoot", true);
        Map<String, Object> container = list(pod, "containers").getFirst();
        assertThat((List<String>) container.get("args"))
                .contains("--config.file=/etc/alertmanager/alertmanager.yml", "--cluster.listen-address=");
        assertThat(map(container, "securityContext"))
                .containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(path(container, "readinessProbe", "httpGet", "path")).isEqualTo("/-/ready");
        assertThat(list(pod, "volumes"))
                .contains(
                        Map.of("name", "config", "configMap", Map.of("name", "alertmanager-config")),
                        Map.of(
                                "name",
                                "secrets",
                                "secret",
                                Map.of("secretName", "alertmanager-receivers", "optional", true)));
        assertThat(String.valueOf(container.get("volumeMounts")))
                .contains("mountPath=/etc/alertmanager/secrets", "mountPath=/alertmanager");

        Map<String, Object> service = byName(monitoring, "Service").get("alertmanager");
        assertThat(map(service, "spec").getOrDefault("type", "ClusterIP")).isEqualTo("ClusterIP");
        assertThat(list(map(service, "spec"), "ports"))
                .containsExactly(Map.of("name", "web", "port", 9093, "targetPort", "web", "protocol", "TCP"));

        Map<String, Object> policy = map(byName(monitoring, "NetworkPolicy").get("alertmanager"), "spec");
        assertThat(path(policy, "podSelector", "matchLabels"))
                .isEqualTo(Map.of("app.kubernetes.io/name", "alertmanager"));
        List<Map<String, Object>> ingress = (List<Map<String, Object>>) policy.get("ingress");
        assertThat(ingress).as("only Prometheus' namespace may post alerts").hasSize(1);
        assertThat(String.valueOf(ingress.getFirst().get("from")))
                .isEqualTo("[{namespaceSelector={matchLabels={kubernetes.io/metadata.name=monitoring}}}]");
        assertThat(ingress.getFirst().get("ports")).isEqualTo(List.of(Map.of("protocol", "TCP", "port", 9093)));
        assertThat(String.valueOf(policy.get("egress"))).contains("port=443", "port=587");
    }

    @Test
    void overlaysAndComponentsReferOnlyToFilesThatExist() throws IOException {
        for (String dir : List.of(
                "base",
                "overlays/dev",
                "overlays/prod",
                "overlays/canary",
                "components/monitoring",
                "components/network-policies")) {
            Path folder = root.resolve("k8s").resolve(dir);
            Map<String, Object> kustomization = new Yaml().load(Files.readString(folder.resolve("kustomization.yaml")));
            for (String key : List.of("resources", "components")) {
                @SuppressWarnings("unchecked")
                List<String> refs = (List<String>) kustomization.getOrDefault(key, List.of());
                for (String ref : refs) {
                    assertThat(folder.resolve(ref).normalize())
                            .as(dir + " " + key + " " + ref)
                            .exists();
                }
            }
        }
        List<Map<String, Object>> dev = manifests(root.resolve("k8s/overlays/dev"));
        assertThat(byName(dev, "StatefulSet").get("postgres").toString()).contains("pgvector/pgvector:pg17");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCanaryOverlayRunsTheBaseMemoryServiceWithANewImageThatOnlyTheGatewaysWeightedRouteReaches()
            throws IOException {
        Path overlay = root.resolve("k8s/overlays/canary");
        List<Map<String, Object>> canary = manifests(overlay);
        Map<String, Object> actual = byName(canary, "Deployment").get("memory-service-canary");
        assertThat(actual)
                .as("k8s/overlays/canary: Deployment memory-service-canary")
                .isNotNull();

        // the base Deployment of memory-service, changed only where a canary must differ
        Map<String, Object> stable =
                byName(manifests(root.resolve("k8s/base")), "Deployment").get("memory-service");
        Map<String, Object> expected = new Yaml().load(new Yaml().dump(stable));
        map(expected, "metadata").put("name", "memory-service-canary");
        map(map(expected, "metadata"), "labels").put("agency.ai/track", "canary");
        Map<String, Object> spec = map(expected, "spec");
        spec.put("replicas", 1);
        ((Map<String, Object>) path(spec, "selector", "matchLabels")).put("agency.ai/track", "canary");
        Map<String, Object> podLabels = (Map<String, Object>) path(spec, "template", "metadata", "labels");
        Object version = ((Map<String, Object>) path(map(actual, "spec"), "template", "metadata", "labels"))
                .get("app.kubernetes.io/version");
        assertThat(String.valueOf(version))
                .as("the canary's version label")
                .isNotBlank()
                .isNotEqualTo("null");
        podLabels.put("app.kubernetes.io/version", version);
        podLabels.put("agency.ai/track", "canary");
        list(map(map(spec, "template"), "spec"), "containers").getFirst().put("image", "agency/memory-service-canary");
        assertThat(actual)
                .as("memory-service-canary is the base memory-service with name, track, version, image and 1 replica")
                .isEqualTo(expected);

        Map<String, Object> service = byName(canary, "Service").get("memory-service-canary");
        assertThat(map(map(service, "spec"), "selector"))
                .isEqualTo(Map.of("app.kubernetes.io/name", "memory-service", "agency.ai/track", "canary"));
        assertThat(list(map(service, "spec"), "ports").getFirst())
                .containsEntry("port", PORTS.get("memory-service"))
                .containsEntry("targetPort", "http");

        Map<String, Object> kustomization = new Yaml().load(Files.readString(overlay.resolve("kustomization.yaml")));
        assertThat((List<String>) kustomization.get("resources")).contains("../prod");
        String patches = ((List<Map<String, Object>>) kustomization.get("patches"))
                .stream().map(p -> String.valueOf(p.get("patch"))).collect(java.util.stream.Collectors.joining("\n"));
        assertThat(patches)
                .as("the gateway's memory route gets the canary's Service and a weight")
                .contains("AGENCY_GATEWAY_ROUTES_MEMORY_CANARY_URI", "http://memory-service-canary:8082")
                .contains("AGENCY_GATEWAY_ROUTES_MEMORY_CANARY_WEIGHT")
                .contains("AGENCY_GATEWAY_ROLLOUT_ALERT_RECEIVER_ENABLED")
                .contains("secretKeyRef: { name: agency-secrets, key: AGENCY_GATEWAY_ROLLOUT_ALERT_RECEIVER_SECRET }");
        assertThat(patches)
                .as("the stable pods and Service are the track 'stable', so only the gateway reaches the canary")
                .contains("/spec/template/metadata/labels/agency.ai~1track")
                .contains("/spec/selector/agency.ai~1track");

        Map<String, Object> alertmanager = byName(canary, "NetworkPolicy").get("realtime-gateway-from-alertmanager");
        Map<String, Object> rule =
                ((List<Map<String, Object>>) map(alertmanager, "spec").get("ingress")).getFirst();
        assertThat((List<Map<String, Object>>) rule.get("ports"))
                .as("Alertmanager reaches the gateway's public port (the receiver) only")
                .containsExactly(Map.of("protocol", "TCP", "port", PORTS.get("realtime-gateway")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCanaryOverlayRendersWithTwoTracksOfMemoryServiceThatNoSelectorMixes() throws Exception {
        Optional<String> rendered = kustomize("k8s/overlays/canary");
        org.junit.jupiter.api.Assumptions.assumeTrue(rendered.isPresent(), "kubectl is not installed");
        List<Map<String, Object>> all = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(rendered.get())) {
            if (doc instanceof Map<?, ?> m) {
                all.add((Map<String, Object>) m);
            }
        }
        Map<String, Map<String, Object>> deployments = byName(all, "Deployment");
        Map<String, Map<String, Object>> services = byName(all, "Service");
        Map<String, Object> stableLabels = (Map<String, Object>)
                path(map(deployments.get("memory-service"), "spec"), "template", "metadata", "labels");
        Map<String, Object> canaryLabels = (Map<String, Object>)
                path(map(deployments.get("memory-service-canary"), "spec"), "template", "metadata", "labels");
        Map<String, Object> stableSelector = map(map(services.get("memory-service"), "spec"), "selector");
        Map<String, Object> canarySelector = map(map(services.get("memory-service-canary"), "spec"), "selector");
        assertThat(stableLabels.entrySet())
                .as("stable Service selects the stable pods")
                .containsAll(stableSelector.entrySet());
        assertThat(canaryLabels.entrySet())
                .as("stable Service does not select the canary pods")
                .doesNotContainAnyElementsOf(Set.of(Map.entry("agency.ai/track", "stable")));
        assertThat(canaryLabels.entrySet())
                .as("canary Service selects the canary pods")
                .containsAll(canarySelector.entrySet());
        assertThat(stableLabels)
                .as("canary Service does not select the stable pods")
                .containsEntry("agency.ai/track", "stable");
        String stableImage = (String) list(
                        map(map(map(deployments.get("memory-service"), "spec"), "template"), "spec"), "containers")
                .getFirst()
                .get("image");
        String canaryImage = (String) list(
                        map(map(map(deployments.get("memory-service-canary"), "spec"), "template"), "spec"),
                        "containers")
                .getFirst()
                .get("image");
        assertThat(canaryImage).as("the canary runs another release").isNotEqualTo(stableImage);
        assertThat(canaryImage.substring(0, canaryImage.lastIndexOf(':')))
                .isEqualTo(stableImage.substring(0, stableImage.lastIndexOf(':')));
        Map<String, String> config = (Map<String, String>)
                byName(all, "ConfigMap").get("agency-config").get("data");
        assertThat(config)
                .containsEntry("AGENCY_GATEWAY_ROUTES_MEMORY_CANARY_URI", "http://memory-service-canary:8082");
        assertThat(Integer.parseInt(config.get("AGENCY_GATEWAY_ROUTES_MEMORY_CANARY_WEIGHT")))
                .isBetween(0, 100);
        assertThat(config).containsEntry("SPRING_PROFILES_ACTIVE", "prod");
        assertThat(new Yaml().dump(deployments.get("realtime-gateway")))
                .contains("AGENCY_GATEWAY_ROLLOUT_ALERT_RECEIVER_SECRET");
    }

    /** {@code kubectl kustomize <dir>}, or empty where kubectl is not installed. */
    private Optional<String> kustomize(String dir) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(
                            "kubectl", "kustomize", root.resolve(dir).toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException noKubectl) {
            return Optional.empty();
        }
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor())
                .as("kubectl kustomize " + dir + ": " + output)
                .isZero();
        return Optional.of(output);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static List<Map<String, Object>> manifests(Path folder) throws IOException {
        List<Map<String, Object>> result = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (file.getFileName().toString().equals("kustomization.yaml")) {
                    continue;
                }
                for (Object doc : new Yaml().loadAll(Files.readString(file))) {
                    if (doc instanceof Map<?, ?> map) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> manifest = (Map<String, Object>) map;
                        assertThat(manifest).as(file + ": apiVersion and kind").containsKeys("apiVersion", "kind");
                        result.add(manifest);
                    }
                }
            }
        }
        return result;
    }

    private static Map<String, Map<String, Object>> byName(List<Map<String, Object>> manifests, String kind) {
        Map<String, Map<String, Object>> result = new LinkedHashMap<>();
        for (Map<String, Object> manifest : manifests) {
            if (kind.equals(manifest.get("kind"))) {
                result.put((String) map(manifest, "metadata").get("name"), manifest);
            }
        }
        return result;
    }

    /** The subset of the Deployment's pod labels that the selector names (equal to the selector if it matches). */
    private static Map<String, Object> podLabelsMatched(Map<String, Object> deployment, Map<String, Object> selector) {
        @SuppressWarnings("unchecked")
        Map<String, Object> labels =
                (Map<String, Object>) path(map(deployment, "spec"), "template", "metadata", "labels");
        Map<String, Object> matched = new LinkedHashMap<>();
        selector.keySet().forEach(k -> {
            if (labels.containsKey(k)) {
                matched.put(k, labels.get(k));
            }
        });
        return matched;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(List.class);
        return (List<Map<String, Object>>) value;
    }

    private static Object path(Map<String, Object> start, String... keys) {
        Object current = start;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static String healthTest(Map<String, Object> service) {
        Map<String, Object> health = (Map<String, Object>) service.get("healthcheck");
        assertThat(health).as("healthcheck").isNotNull();
        return String.valueOf(health.get("test"));
    }

    /** The depends_on path from {@code name} back to the first service of {@code path}, if there is one. */
    private static List<String> dependencyCycle(String name, Map<String, Set<String>> waitsFor, List<String> path) {
        if (path.contains(name)) {
            return path.getFirst().equals(name) ? path : List.of();
        }
        path.add(name);
        for (String next : waitsFor.getOrDefault(name, Set.of())) {
            List<String> cycle = dependencyCycle(next, waitsFor, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.removeLast();
        return List.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> dependsOn(Map<String, Object> service) {
        Map<String, String> result = new TreeMap<>();
        Object dependsOn = service.getOrDefault("depends_on", Map.of());
        ((Map<String, Map<String, Object>>) dependsOn).forEach((k, v) -> result.put(k, (String) v.get("condition")));
        return result;
    }

    @SuppressWarnings("unchecked")
    private static List<String> namedVolumes(Map<String, Object> service) {
        return ((List<String>) service.getOrDefault("volumes", List.of()))
                .stream()
                        .map(v -> v.split(":")[0])
                        .filter(source -> !source.startsWith(".") && !source.startsWith("/") && !source.startsWith("$"))
                        .toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> bindSources(Map<String, Object> service) {
        return ((List<String>) service.getOrDefault("volumes", List.of()))
                .stream()
                        .map(v -> v.split(":")[0])
                        .filter(source -> source.startsWith("./"))
                        .toList();
    }
}
