package org.civitas.operations.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Ready when the model worker this server starts on demand is installed: its libraries (the
 * model runtimes) are in place, or an external trainer command is configured instead.
 */
@Readiness
@ApplicationScoped
public class ModelWorkerInstalledCheck implements HealthCheck {

    @Inject
    @ConfigProperty(name = "civitas.worker.home")
    Optional<String> workerHome;

    @Inject
    @ConfigProperty(name = "civitas.worker.command")
    Optional<String> workerCommand;

    @Override
    public HealthCheckResponse call() {
        if (workerCommand.isPresent() && !workerCommand.get().isBlank()) {
            return HealthCheckResponse.named("civitas-model-worker").up().withData("command", workerCommand.get()).build();
        }
        Path lib = Path.of(workerHome.orElse(System.getProperty("jboss.home.dir", ".") + "/civitas-worker"), "lib");
        long jars;
        boolean worker;
        try (Stream<Path> files = Files.list(lib)) {
            java.util.List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
            jars = names.size();
            worker = names.stream().anyMatch(n -> n.startsWith("civitas-model-worker"));
        } catch (IOException e) {
            jars = 0;
            worker = false;
        }
        boolean runtimes = worker && jars > 1;
        return HealthCheckResponse.named("civitas-model-worker").status(runtimes).withData("lib", lib.toString())
                .withData("jars", jars).build();
    }
}
