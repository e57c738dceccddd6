package org.civitas.federation.site;

import org.civitas.federation.common.ReferenceConsortium;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.federation.core.data.FeatureCsv;
import org.civitas.federation.core.model.LabeledFeatures;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The sites this server hosts: in the standalone role the demo sites, in the participant role the
 * one site named by {@code civitas.site.code}. Each has a folder under
 * {@code civitas.data.dir/sites/<code>} with its identity and private data. A participant's token
 * is the one the coordinator's administrator received when registering the site, given as
 * {@code civitas.site.token} (best as the environment variable {@code CIVITAS_SITE_TOKEN}); the
 * standalone demo sites make their own.
 */
@ApplicationScoped
public class HostedSites {

    @Inject
    CivitasSettings settings;

    @Inject
    @ConfigProperty(name = "civitas.site.code")
    Optional<String> participantSite;

    @Inject
    @ConfigProperty(name = "civitas.site.token")
    Optional<String> participantToken;

    private final ConcurrentMap<String, SiteIdentity> identities = new ConcurrentHashMap<>();

    public List<String> codes() {
        return switch (settings.role()) {
            case STANDALONE -> ReferenceConsortium.CODES;
            case PARTICIPANT -> participantSite.map(List::of).orElse(List.of());
            case COORDINATOR -> List.of();
        };
    }

    /** The site's identity, created with a fresh random token on first use. */
    public SiteIdentity identity(String code) {
        if (!codes().contains(code)) {
            throw new IllegalArgumentException("site '" + code + "' is not hosted on this server");
        }
        return identities.computeIfAbsent(code, this::loadOrCreate);
    }

    /**
     * A manifest inside the site's folder that exists.
     *
     * @throws org.civitas.federation.common.InvalidRequestException when there is no such file
     */
    public Path existingManifest(String code, String manifest) {
        Path file = identity(code).manifestInSite(manifest);
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new org.civitas.federation.common.InvalidRequestException("manifest '" + manifest + "' does not exist in the site's folder");
        }
        return file;
    }

    @Inject
    @ConfigProperty(name = "civitas.site.lora-rank")
    Optional<Integer> participantLoraRank;

    /** The LoRA rank the site can afford, for rules that let each site choose; 0 means the global rank. */
    public int loraRank(String code) {
        if (settings.role() == CivitasSettings.Role.PARTICIPANT) {
            return participantLoraRank.orElse(0);
        }
        return ReferenceConsortium.profile(code).map(ReferenceConsortium.Profile::loraRank).orElse(0);
    }

    public LabeledFeatures trainingData(SiteIdentity site, int classCount) {
        try {
            return FeatureCsv.read(site.dataFile(), classCount);
        } catch (IOException e) {
            throw new UncheckedIOException("site " + site.code() + " cannot read its training data", e);
        }
    }

    private SiteIdentity loadOrCreate(String code) {
        Path home = settings.dataDir().resolve("sites").resolve(code);
        Path file = home.resolve("identity.properties");
        try {
            Files.createDirectories(home);
            if (settings.role() == CivitasSettings.Role.PARTICIPANT) {
                // The coordinator issued this site's token; a token made up here would never be accepted.
                String token = participantToken.filter(t -> !t.isBlank()).orElseThrow(() -> new IllegalStateException(
                        "site " + code + " has no token: set civitas.site.token (or CIVITAS_SITE_TOKEN) to the token the"
                                + " coordinator's administrator received when registering the site"));
                return new SiteIdentity(code, token.strip(), home);
            }
            Properties p = new Properties();
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
            }
            String token = p.getProperty("token");
            if (token == null || token.length() < 16) {
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
                p.setProperty("site", code);
                p.setProperty("token", token);
                try (OutputStream out = Files.newOutputStream(file)) {
                    p.store(out, "Civitas site identity: keep private");
                }
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
            }
            return new SiteIdentity(code, token, home);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the folder of site " + code, e);
        }
    }
}
