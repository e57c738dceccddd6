package org.civitas.it;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts the provisioned server of the ear module once per test run (one failsafe execution),
 * on the database named by {@code civitas.it.db}, with its own data folder and a port offset so a
 * running demo is not disturbed; stops it when the run ends.
 */
public final class CivitasServer implements BeforeAllCallback {

    public static final int PORT_OFFSET = 100;
    public static final String BASE = "http://127.0.0.1:" + (8080 + PORT_OFFSET) + "/civitas";
    public static final String API = BASE + "/api";
    public static final long UPLOAD_LIMIT = 1024 * 1024;
    static final String PG_SCHEMA = "civitas_it";

    private static Instance instance;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Instance.class, k -> start(), Instance.class);
    }

    public static String db() {
        return System.getProperty("civitas.it.db", "h2");
    }

    /** The server's data folder, where the coordinator spools updates and sites keep their files. */
    public static Path dataDir() {
        return workDir().resolve("data");
    }

    static Path workDir() {
        return Path.of(System.getProperty("civitas.it.work.dir", "target/it-" + db())).toAbsolutePath();
    }

    private static synchronized Instance start() {
        if (instance != null) {
            return instance;
        }
        Path serverDir = Path.of(System.getProperty("civitas.it.server.dir", "../ear/target/server")).toAbsolutePath();
        if (!Files.isExecutable(serverDir.resolve("bin/standalone.sh"))) {
            throw new IllegalStateException("no provisioned server at " + serverDir + ": build the ear module first");
        }
        deleteRecursively(workDir());
        List<String> command = new ArrayList<>(List.of(serverDir.resolve("bin/standalone.sh").toString(),
                "-Djboss.socket.binding.port-offset=" + PORT_OFFSET,
                "-Djboss.server.log.dir=" + workDir().resolve("log"),
                "-Dcivitas.data.dir=" + dataDir(),
                "-Dcivitas.coordinator.url=" + API,
                "-Dcivitas.upload.max-bytes=" + UPLOAD_LIMIT,
                "-Dcivitas.demo.autostart=false"));
        if ("postgresql".equals(db())) {
            resetPostgresSchema();
            String url = System.getProperty("civitas.it.postgresql.url") + "?currentSchema=" + PG_SCHEMA;
            command.addAll(List.of("-Dcivitas.db.driver=postgresql", "-Dcivitas.db.url=" + url,
                    "-Dcivitas.db.user=" + System.getProperty("civitas.it.postgresql.user"),
                    "-Dcivitas.db.password=" + System.getProperty("civitas.it.postgresql.password"),
                    "-Dcivitas.db.schema=" + PG_SCHEMA));
        } else {
            command.add("-Dcivitas.db.url=jdbc:h2:mem:civitas-it;DB_CLOSE_DELAY=-1");
        }
        try {
            Files.createDirectories(workDir());
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(workDir().resolve("server-console.log").toFile());
            // Makes standalone.sh pass SIGTERM on to the server JVM and wait for it.
            pb.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "1");
            pb.environment().remove("JAVA_OPTS");
            Process process = pb.start();
            instance = new Instance(process);
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close));
            awaitReady(process);
            return instance;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitReady(Process process) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + (9990 + PORT_OFFSET) + "/health/ready");
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + "; see " + workDir().resolve("server-console.log"));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("civitas-schema")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(500);
        }
        throw new IllegalStateException("server not ready within 3 minutes; see " + workDir().resolve("server-console.log"));
    }

    private static void resetPostgresSchema() {
        try (Connection c = DriverManager.getConnection(System.getProperty("civitas.it.postgresql.url"),
                System.getProperty("civitas.it.postgresql.user"), System.getProperty("civitas.it.postgresql.password"));
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + System.getProperty("civitas.it.postgresql.url")
                    + " is not reachable (start it, or pass -Dcivitas.it.postgresql.skip=true): " + e.getMessage(), e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The running server; closing it stops the server and everything it started. */
    static final class Instance implements ExtensionContext.Store.CloseableResource {
        private final Process process;

        Instance(Process process) {
            this.process = process;
        }

        @Override
        public synchronized void close() {
            if (!process.isAlive()) {
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
    }
}
