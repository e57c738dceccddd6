package org.civitas.it;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the provisioned server of the ear module once per test run (one failsafe execution),
 * on the database named by {@code civitas.it.db}, with its own data folder and a port offset so a
 * running demo is not disturbed; stops it when the run ends.
 */
public final class CivitasServer implements BeforeAllCallback {

    public static final int PORT_OFFSET = 100;
    public static final String BASE = "http://127.0.0.1:" + (8080 + PORT_OFFSET) + "/civitas";
    public static final String API = BASE + "/api";
    public static final long UPLOAD_LIMIT = 8 * 1024 * 1024;
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
        Path serverDir = Path.of(System.getProperty("civitas.it.server.dir", "../ear/target/server"));
        ServerProcess.deleteRecursively(workDir());
        List<String> properties = new ArrayList<>(List.of(
                "-Dcivitas.data.dir=" + dataDir(),
                "-Dcivitas.coordinator.url=" + API,
                "-Dcivitas.upload.max-bytes=" + UPLOAD_LIMIT,
                "-Dcivitas.demo.autostart=false"));
        if ("postgresql".equals(db())) {
            resetPostgresSchema(PG_SCHEMA);
            properties.addAll(postgresProperties(PG_SCHEMA));
        } else {
            properties.add("-Dcivitas.db.url=jdbc:h2:mem:civitas-it;DB_CLOSE_DELAY=-1");
        }
        ServerProcess server = new ServerProcess("server", serverDir, null, workDir().resolve("log"), PORT_OFFSET, properties, Map.of());
        instance = new Instance(server);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.start().awaitReady(Duration.ofMinutes(3));
        return instance;
    }

    /** The settings that put a server on the test PostgreSQL, in a schema of its own. */
    static List<String> postgresProperties(String schema) {
        String url = System.getProperty("civitas.it.postgresql.url") + "?currentSchema=" + schema;
        return List.of("-Dcivitas.db.driver=postgresql", "-Dcivitas.db.url=" + url,
                "-Dcivitas.db.user=" + System.getProperty("civitas.it.postgresql.user"),
                "-Dcivitas.db.password=" + System.getProperty("civitas.it.postgresql.password"),
                "-Dcivitas.db.schema=" + schema);
    }

    /** A JDBC connection to the test PostgreSQL. */
    static Connection postgres() throws SQLException {
        return DriverManager.getConnection(System.getProperty("civitas.it.postgresql.url"),
                System.getProperty("civitas.it.postgresql.user"), System.getProperty("civitas.it.postgresql.password"));
    }

    static void resetPostgresSchema(String schema) {
        try (Connection c = postgres(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + System.getProperty("civitas.it.postgresql.url")
                    + " is not reachable (start it, or pass -Dcivitas.it.postgresql.skip=true): " + e.getMessage(), e);
        }
    }

    /** Polls the condition until it holds, or fails naming it after the timeout: a wait for a state, never for a time. */
    static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("still waiting after " + timeout + " for: " + what);
            }
            sleep(200);
        }
    }

    /** The server's metrics in Prometheus text format. */
    static String metrics() {
        return instance.server.metrics();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The running server; closing it stops the server and everything it started. */
    static final class Instance implements ExtensionContext.Store.CloseableResource {
        private final ServerProcess server;

        Instance(ServerProcess server) {
            this.server = server;
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
