package ai.agency.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The platform's services as {@code platform.services} at the repository's root lists them: the one list that the
 * launcher, these tests and the deployment checks share (name, default port, management port, short names; in start
 * order).
 */
record PlatformServices(List<Service> all) {

    /** One line of the file. */
    record Service(String name, int port, Optional<Integer> managementPort, List<String> shortNames) {

        /** Where its actuator answers: the management port where it has one, else its port. */
        int actuatorPort() {
            return managementPort.orElse(port);
        }
    }

    static PlatformServices read() {
        return read(Path.of(System.getProperty("agency.repository.root", ".."))
                .toAbsolutePath()
                .normalize());
    }

    static PlatformServices read(Path root) {
        List<Service> services = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(root.resolve("platform.services"))) {
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                String[] f = text.split("\\s+");
                if (f.length != 4) {
                    throw new IllegalStateException("platform.services: 4 columns expected in '" + line + "'");
                }
                services.add(new Service(
                        f[0],
                        Integer.parseInt(f[1]),
                        f[2].equals("-") ? Optional.empty() : Optional.of(Integer.parseInt(f[2])),
                        List.of(f[3].split(","))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PlatformServices(List.copyOf(services));
    }

    List<String> names() {
        return all.stream().map(Service::name).toList();
    }

    /** name → default port. */
    Map<String, Integer> ports() {
        return all.stream().collect(Collectors.toUnmodifiableMap(Service::name, Service::port));
    }

    Service get(String name) {
        return all.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not in platform.services: " + name));
    }
}
