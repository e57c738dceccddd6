package org.civitas.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One server of the ear module's provisioned installation, run as its own process: its own port
 * offset, its own settings, and (for several servers from one installation) its own base folder
 * with a copy of the configuration and the deployed EAR, so its database file, data and logs are
 * its own. It can be stopped, killed like a crash, and started again on the same folder.
 */
final class ServerProcess implements AutoCloseable {

    private final String name;
    private final Path installation;
    private final Path baseDir;
    private final Path logDir;
    private final int portOffset;
    private final List<String> properties;
    private final Map<String, String> environment;
    private Process process;

    /**
     * @param baseDir     the server's own base folder, created from the installation's on first start;
     *                    null runs on the installation's own {@code standalone} folder
     * @param properties  system properties, each {@code -Dname=value}
     * @param environment extra environment variables (secrets are best passed this way)
     */
    ServerProcess(String name, Path installation, Path baseDir, Path logDir, int portOffset, List<String> properties,
                  Map<String, String> environment) {
        this.name = name;
        this.installation = installation.toAbsolutePath();
        this.baseDir = baseDir == null ? null : baseDir.toAbsolutePath();
        this.logDir = logDir.toAbsolutePath();
        this.portOffset = portOffset;
        this.properties = List.copyOf(properties);
        this.environment = Map.copyOf(environment);
        if (!Files.isExecutable(this.installation.resolve("bin/standalone.sh"))) {
            throw new IllegalStateException("no provisioned server at " + this.installation + ": build the ear module first");
        }
    }

    String base() {
        return "http://127.0.0.1:" + (8080 + portOffset) + "/civitas";
    }

    String api() {
        return base() + "/api";
    }

    String httpsApi() {
        return "https://localhost:" + (8443 + portOffset) + "/civitas/api";
    }

    /**
     * Applies a CLI script that embeds the server (as {@code server-config}'s do) to this server's
     * own configuration, before it starts; environment variables the script's expressions need
     * are given in {@code environment}.
     */
    ServerProcess configure(Path script, Map<String, String> environment) {
        if (baseDir == null) {
            throw new IllegalStateException("only a server with its own base folder is configured by a test");
        }
        prepareBaseDir();
        try {
            Files.createDirectories(logDir);
            ProcessBuilder pb = new ProcessBuilder(installation.resolve("bin/jboss-cli.sh").toString(), "--file=" + script.toAbsolutePath())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(name + "-cli.log").toFile()));
            pb.environment().put("JAVA_OPTS", "-Djboss.server.base.dir=" + baseDir);
            pb.environment().putAll(environment);
            Process cli = pb.start();
            if (!cli.waitFor(2, TimeUnit.MINUTES) || cli.exitValue() != 0) {
                cli.destroyForcibly();
                throw new IllegalStateException(script + " failed on " + name + "; see " + logDir.resolve(name + "-cli.log"));
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of the first series of a metric whose labels contain {@code label}; 0 when none has been counted. */
    static double metric(String prometheus, String name, String label) {
        for (String line : prometheus.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** The management port's metrics in Prometheus text format. */
    String metrics() {
        Api.Answer a = Api.getAbsolute("http://127.0.0.1:" + (9990 + portOffset) + "/metrics");
        if (a.status() != 200) {
            throw new AssertionError(name + " answered " + a.status() + " for /metrics: " + a.text());
        }
        return a.text();
    }

    /** Starts the server process; {@link #awaitReady} waits for it. The console goes to {@code <name>-console.log}. */
    synchronized ServerProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running already");
        }
        List<String> command = new ArrayList<>(List.of(installation.resolve("bin/standalone.sh").toString(),
                "-Djboss.socket.binding.port-offset=" + portOffset,
                "-Djboss.server.log.dir=" + logDir));
        if (baseDir != null) {
            prepareBaseDir();
            command.add("-Djboss.server.base.dir=" + baseDir);
        }
        command.addAll(properties);
        try {
            Files.createDirectories(logDir);
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(name + "-console.log").toFile()));
            // Makes standalone.sh pass SIGTERM on to the server JVM and wait for it.
            pb.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "1");
            pb.environment().remove("JAVA_OPTS");
            pb.environment().putAll(environment);
            process = pb.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the server's readiness checks pass, including Civitas's schema check. */
    ServerProcess awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + (9990 + portOffset) + "/health/ready");
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + logDir.resolve(name + "-console.log"));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("civitas-schema")) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            CivitasServer.sleep(500);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + "; see " + logDir.resolve(name + "-console.log"));
    }

    /** Kills the server and everything it started at once (SIGKILL), as a crash or a pulled plug would. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        all.forEach(p -> p.onExit().completeOnTimeout(p, 30, TimeUnit.SECONDS).join());
    }

    /**
     * Freezes the server and what it started (SIGSTOP), as a long garbage-collection pause or a stalled
     * virtual machine would: it holds its connections but answers nothing until {@link #resume}.
     */
    synchronized void pause() {
        signal("STOP");
    }

    /** Lets a paused server run on (SIGCONT) from where it stood. */
    synchronized void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + name, Long.toString(process.pid())));
        process.descendants().forEach(p -> command.add(Long.toString(p.pid())));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + this.name + " failed: " + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** CPU time the server and everything it started have used so far (user and system, as the OS counts it). */
    synchronized Duration cpuTime() {
        Duration total = process.info().totalCpuDuration().orElse(Duration.ZERO);
        for (ProcessHandle p : process.descendants().toList()) {
            total = total.plus(p.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Stops the server the way its operator would (SIGTERM), then anything it left behind. */
    @Override
    public synchronized void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** A fresh base folder holds the installation's configuration and deployments; a used one is kept as it is. */
    private void prepareBaseDir() {
        if (Files.exists(baseDir.resolve("configuration"))) {
            return;
        }
        Path standalone = installation.resolve("standalone");
        copyTree(standalone.resolve("configuration"), baseDir.resolve("configuration"));
        copyTree(standalone.resolve("deployments"), baseDir.resolve("deployments"));
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().endsWith(".failed") && !p.getFileName().toString().endsWith(".deployed")) {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
