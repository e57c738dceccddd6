package org.civitas.federation.infrastructure;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.util.Optional;

/** The {@code civitas.*} settings, read through MicroProfile Config (defaults in microprofile-config.properties). */
@ApplicationScoped
public class CivitasSettings {

    /** What this server is in the consortium. */
    public enum Role { STANDALONE, COORDINATOR, PARTICIPANT }

    @Inject
    @ConfigProperty(name = "civitas.role")
    String role;

    @Inject
    @ConfigProperty(name = "civitas.data.dir")
    String dataDir;

    @Inject
    @ConfigProperty(name = "civitas.coordinator.url")
    String coordinatorUrl;

    @Inject
    @ConfigProperty(name = "civitas.upload.max-bytes")
    long uploadMaxBytes;

    @Inject
    @ConfigProperty(name = "civitas.participant.require-signed-updates", defaultValue = "false")
    boolean requireSignedUpdates;

    @Inject
    @ConfigProperty(name = "civitas.demo.autostart")
    boolean demoAutostart;

    @Inject
    @ConfigProperty(name = "civitas.demo.text-mode", defaultValue = "frozen")
    String demoTextMode;

    @Inject
    @ConfigProperty(name = "civitas.participant.require-client-certificate", defaultValue = "false")
    boolean requireClientCertificate;

    @Inject
    @ConfigProperty(name = "civitas.site.demo-data", defaultValue = "false")
    boolean siteDemoData;

    @Inject
    @ConfigProperty(name = "civitas.db.schema")
    Optional<String> dbSchema;

    @Inject
    @ConfigProperty(name = "civitas.plan.default-sites")
    // A comma-separated string, split here: Payara's config cannot inject an Optional of a List.
    Optional<String> defaultPlanSites;

    @Inject
    @ConfigProperty(name = "civitas.worker.home")
    String workerHome;

    @Inject
    @ConfigProperty(name = "civitas.coordinator.shared-dir")
    Optional<String> coordinatorSharedDir = Optional.empty();

    @Inject
    @ConfigProperty(name = "civitas.coordinator.lease-seconds", defaultValue = "10")
    long coordinatorLeaseSeconds = 10;

    @Inject
    @ConfigProperty(name = "civitas.participant.idle-poll-seconds", defaultValue = "15")
    int idlePollSeconds = 15;

    @Inject
    @ConfigProperty(name = "civitas.participant.long-poll-seconds", defaultValue = "25")
    int longPollSeconds = 25;

    @Inject
    @ConfigProperty(name = "civitas.node.name")
    Optional<String> nodeName = Optional.empty();

    /**
     * The public keys (X.509, Base64, comma-separated) of other coordinators whose signed model
     * bundles this server imports; its own key is always trusted.
     */
    @Inject
    @ConfigProperty(name = "civitas.bundles.trusted-keys")
    Optional<String> bundleTrustedKeys;

    @Inject
    @ConfigProperty(name = "civitas.worker.java")
    String workerJava;

    @Inject
    @ConfigProperty(name = "civitas.worker.command")
    Optional<String> workerCommand;

    @Inject
    @ConfigProperty(name = "civitas.worker.threads")
    int workerThreads;

    @Inject
    @ConfigProperty(name = "civitas.compute.device")
    String computeDevice;

    @Inject
    @ConfigProperty(name = "civitas.worker.idle-seconds")
    long workerIdleSeconds;

    /** Images whose header declares more pixels are refused before decoding, here and in the model worker. */
    @Inject
    @ConfigProperty(name = "civitas.images.max-pixels", defaultValue = "40000000")
    long imageMaxPixels;

    public long imageMaxPixels() {
        if (imageMaxPixels < 1) {
            throw new IllegalStateException("civitas.images.max-pixels must be at least 1, was " + imageMaxPixels);
        }
        return imageMaxPixels;
    }

    /**
     * The command that starts the model worker: {@code civitas.worker.command} split on spaces
     * when set (an external trainer), else the bundled worker on this server's Java.
     */
    public java.util.List<String> workerCommand() {
        if (workerCommand.isPresent() && !workerCommand.get().isBlank()) {
            return java.util.List.of(workerCommand.get().strip().split("\\s+"));
        }
        return java.util.List.of(workerJava, "-Xmx1g", "-Dcivitas.compute.device=" + computeDevice,
                "-D" + org.civitas.federation.core.dataset.BoundedImages.MAX_PIXELS_PROPERTY + "=" + imageMaxPixels,
                "-Dcivitas.worker.threads=" + workerThreads, "-Dcivitas.worker.artifacts=" + artifactDir(),
                "-cp", Path.of(workerHome, "lib").toString() + "/*",
                "org.civitas.worker.WorkerMain");
    }

    /** Where the bundled worker's libraries lie: its jars hold the {@code classpath:} artifacts. */
    public Path workerLibraries() {
        return Path.of(workerHome, "lib");
    }

    public java.util.List<String> bundleTrustedKeys() {
        return bundleTrustedKeys.map(k -> java.util.Arrays.stream(k.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList())
                .orElse(java.util.List.of());
    }

    /**
     * What every worker process is told of this server, the bundled one and an external trainer
     * alike: where the bundled worker's libraries lie ({@code classpath:} artifacts are inside its
     * jars), the artifact folder, its threads and device, and the image size limit.
     */
    public java.util.Map<String, String> workerEnvironment() {
        return java.util.Map.of("CIVITAS_WORKER_CLASSPATH", Path.of(workerHome, "lib").toString(),
                "CIVITAS_WORKER_ARTIFACTS", artifactDir().toString(),
                "CIVITAS_WORKER_THREADS", Integer.toString(workerThreads),
                "CIVITAS_COMPUTE_DEVICE", computeDevice,
                "CIVITAS_IMAGES_MAX_PIXELS", Long.toString(imageMaxPixels()));
    }

    /**
     * Where this server keeps the model artifacts it fetched from the coordinator, each under its
     * SHA-256 (checked when fetched, and again by the worker before it runs one).
     */
    public Path artifactDir() {
        return sharedDir().resolve("artifacts");
    }

    public long workerIdleSeconds() {
        return workerIdleSeconds;
    }

    public Role role() {
        try {
            return Role.valueOf(role.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("civitas.role must be standalone, coordinator or participant, was '" + role + "'");
        }
    }

    public boolean isCoordinator() {
        return role() != Role.PARTICIPANT;
    }

    public Path dataDir() {
        return Path.of(dataDir);
    }

    /**
     * Where the coordinator keeps its model versions, spooled updates, identity and working files:
     * under {@code civitas.coordinator.shared-dir} when coordinator servers share one database (a
     * folder they all mount), else under the data folder.
     */
    public Path coordinatorDir() {
        return sharedDir().resolve("coordinator");
    }

    private Path sharedDir() {
        return coordinatorSharedDir.filter(s -> !s.isBlank()).map(Path::of).orElse(dataDir());
    }

    /** How long a coordinator server's claim to close the rounds lasts without renewal (it renews every second). */
    public java.time.Duration coordinatorLease() {
        if (coordinatorLeaseSeconds < 2 || coordinatorLeaseSeconds > 600) {
            throw new IllegalStateException("civitas.coordinator.lease-seconds must be in [2, 600], was " + coordinatorLeaseSeconds);
        }
        return java.time.Duration.ofSeconds(coordinatorLeaseSeconds);
    }

    /** How soon the coordinator asks a site without an open round to poll again. */
    public int idlePollSeconds() {
        if (idlePollSeconds < 1 || idlePollSeconds > 300) {
            throw new IllegalStateException("civitas.participant.idle-poll-seconds must be in [1, 300], was " + idlePollSeconds);
        }
        return idlePollSeconds;
    }

    /**
     * How long a hosted site asks its coordinator to hold a poll that finds nothing ({@code wait} of
     * {@code GET participant/tasks}); 0 polls without holding, as coordinators before long polls did.
     */
    public int longPollSeconds() {
        if (longPollSeconds < 0 || longPollSeconds > org.civitas.federation.protocol.RoundTasks.MAX_WAIT_SECONDS) {
            throw new IllegalStateException("civitas.participant.long-poll-seconds must be in [0, "
                    + org.civitas.federation.protocol.RoundTasks.MAX_WAIT_SECONDS + "], was " + longPollSeconds);
        }
        return longPollSeconds;
    }

    /** This server's name among the coordinators: {@code civitas.node.name}, else the host's name. */
    public String nodeName() {
        return nodeName.filter(s -> !s.isBlank()).map(String::strip).orElseGet(() -> {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "coordinator";
            }
        });
    }

    /**
     * The coordinator's base URLs as this server's sites reach it: one, or (coordinator servers that
     * share a database) several, comma-separated, tried in turn when one cannot be reached.
     */
    public java.util.List<String> coordinatorUrls() {
        java.util.List<String> urls = java.util.Arrays.stream(coordinatorUrl.split(",")).map(String::strip).filter(u -> !u.isEmpty())
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u).toList();
        if (urls.isEmpty()) {
            throw new IllegalStateException("civitas.coordinator.url names no address");
        }
        return urls;
    }

    public long uploadMaxBytes() {
        return uploadMaxBytes;
    }

    /** Whether the coordinator refuses updates from sites without a registered signing key (the production setting). */
    public boolean requireSignedUpdates() {
        return requireSignedUpdates;
    }

    /** Whether the participant endpoints require a client certificate that names the calling site (mutual TLS). */
    public boolean requireClientCertificate() {
        return requireClientCertificate;
    }

    public boolean demoAutostart() {
        return demoAutostart;
    }

    /**
     * Whether the demo's multimodal federation adapts MiniLM (LoRA inside its attention) rather than
     * reading its frozen features: {@code civitas.demo.text-mode} {@code adapters} or {@code frozen}.
     */
    public boolean demoAdaptsTextEncoder() {
        return switch (demoTextMode.strip()) {
            case "frozen" -> false;
            case "adapters" -> true;
            default -> throw new IllegalStateException("civitas.demo.text-mode must be frozen or adapters, was '" + demoTextMode + "'");
        };
    }

    /**
     * Whether this server's sites get the demo's generated data: always in the standalone role; in
     * the participant role when {@code civitas.site.demo-data} is true and the site is one of the
     * demo's, to try a consortium of separate servers without data of one's own.
     */
    public boolean demoData() {
        return role() == Role.STANDALONE || (role() == Role.PARTICIPANT && siteDemoData);
    }

    /**
     * The sites a plan that names none trains at: {@code civitas.plan.default-sites}, and in the
     * standalone role, without it, the embedded consortium's sites this server hosts. Elsewhere none:
     * a plan names its sites.
     */
    public java.util.List<String> defaultPlanSites() {
        java.util.List<String> configured = defaultPlanSites.stream().flatMap(s -> java.util.Arrays.stream(s.split(",")))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (!configured.isEmpty()) {
            return configured;
        }
        return role() == Role.STANDALONE ? org.civitas.federation.common.ReferenceConsortium.CODES : java.util.List.of();
    }

    public Optional<String> dbSchema() {
        return dbSchema.filter(s -> !s.isBlank());
    }
}
