package org.civitas.federation.site;

import org.civitas.federation.protocol.RoundTask;
import org.civitas.federation.protocol.SecureAggregationProtocol;
import org.civitas.federation.protocol.SecureAggregationProtocol.Member;
import org.civitas.federation.protocol.UpdateMetadata;
import org.civitas.federation.core.privacy.secagg.FixedPoint;
import org.civitas.federation.core.privacy.secagg.MaskedVector;
import org.civitas.federation.core.privacy.secagg.MaskFormat;
import org.civitas.federation.core.privacy.secagg.MaskingSite;
import org.civitas.federation.core.privacy.secagg.ShareEnvelope;
import org.civitas.federation.core.tensor.NamedTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A site's side of a secure-aggregation round, after local training: advertise keys, send sealed
 * shares, upload the masked update, reveal shares for the survivors. Every step can be repeated
 * after a restart: the site's secrets are kept in its work folder, and its Shamir split is drawn
 * from a generator seeded by them, so a repeat sends the same shares.
 */
final class SecureUpload {

    private static final long POLL_MILLIS = 250;

    private final CoordinatorClient coordinator;
    private final SiteIdentity site;
    private final RoundTask task;
    private final Consumer<String> progress;
    private final Clock clock;

    SecureUpload(CoordinatorClient coordinator, SiteIdentity site, RoundTask task, Consumer<String> progress, Clock clock) {
        this.clock = clock;
        this.coordinator = coordinator;
        this.site = site;
        this.task = task;
        this.progress = progress;
    }

    String run(NamedTensors update, UpdateMetadata metadata) {
        long f = task.federationId();
        int r = task.round();
        int threshold = task.extra().get(SecureAggregationProtocol.THRESHOLD).intValue();
        MaskingSite.Secrets secrets = secrets();
        advertise(secrets);

        progress.accept("secure aggregation: waiting for the other sites' keys");
        SecureAggregationProtocol.Roster roster = await(() -> coordinator.secureAggregation(site, f, r, "roster",
                SecureAggregationProtocol.Roster.class), x -> !"KEYS".equals(x.phase()), "the roster");
        // A format this site does not know fails the round here, before it hands out any share.
        MaskFormat format = MaskFormat.of(roster.maskFormat());
        Map<Integer, Member> byIndex = new TreeMap<>();
        roster.members().forEach(m -> byIndex.put(m.index(), m));
        Member me = roster.members().stream().filter(m -> m.site().equals(site.code())).findFirst().orElseThrow(() ->
                new IllegalStateException("site " + site.code() + " is not in the roster of round " + r + " (its keys came too late)"));
        MaskingSite masking = new MaskingSite(me.index(), secrets, splitRandom(secrets));
        List<MaskingSite.SharesFor> shares = masking.shares(byIndex.size(), threshold);
        SecureRandom random = new SecureRandom();
        List<SecureAggregationProtocol.Envelope> envelopes = byIndex.values().stream().filter(m -> m.index() != me.index())
                .map(m -> new SecureAggregationProtocol.Envelope(m.index(), me.index(), ShareEnvelope.seal(secrets,
                        new BigInteger(m.encryptionKey(), 16), ShareEnvelope.context(f, r, me.index(), m.index()), shares.get(m.index() - 1),
                        random))).toList();
        idempotent(() -> coordinator.secureAggregation(site, f, r, "shares", new SecureAggregationProtocol.Shares(envelopes)));

        progress.accept("secure aggregation: waiting for the other sites' shares");
        SecureAggregationProtocol.Inbox inbox = await(() -> coordinator.secureAggregation(site, f, r, "inbox",
                SecureAggregationProtocol.Inbox.class), x -> !"KEYS".equals(x.phase()) && !"SHARES".equals(x.phase()), "the shares");
        Map<Integer, MaskingSite.SharesFor> held = new HashMap<>();
        held.put(me.index(), shares.get(me.index() - 1));
        for (SecureAggregationProtocol.Envelope e : inbox.envelopes()) {
            held.put(e.from(), ShareEnvelope.open(secrets, new BigInteger(byIndex.get(e.from()).encryptionKey(), 16),
                    ShareEnvelope.context(f, r, e.from(), me.index()), e.envelope()));
        }
        Map<Integer, PublicKey> peers = new TreeMap<>();
        inbox.members().forEach(i -> peers.put(i, MaskingSite.publicKeyOf(new BigInteger(byIndex.get(i).maskingKey(), 16))));
        float weight = task.extra().getOrDefault(SecureAggregationProtocol.WEIGHT_BY_SAMPLES, 0.0) == 1.0 ? metadata.sampleCount() : 1f;
        int[] masked = masking.mask(MaskedVector.flatten(update, weight), peers, roster.maskRound(),
                new FixedPoint(task.extra().get(SecureAggregationProtocol.FRACTION_BITS).intValue()), format);
        byte[] body = MaskedVector.toBytes(masked);
        idempotent(() -> coordinator.upload(site, f, r, metadata, body));

        progress.accept("secure aggregation: masked update sent, waiting for the survivors");
        SecureAggregationProtocol.Survivors survivors = await(() -> coordinator.secureAggregation(site, f, r, "survivors",
                SecureAggregationProtocol.Survivors.class), x -> "UNMASKING".equals(x.phase()), "the survivors");
        List<MaskingSite.Reveal> reveals = MaskingSite.reveal(held, new TreeSet<>(survivors.survivors()), threshold);
        idempotent(() -> coordinator.secureAggregation(site, f, r, "reveals", new SecureAggregationProtocol.Reveals(reveals.stream()
                .map(x -> new SecureAggregationProtocol.Reveal(x.owner(), x.secret().name(), x.share().x(), x.share().y().toString(16)))
                .toList())));
        return "masked update of " + masked.length + " values sent among " + inbox.members().size() + " sites; survivors "
                + survivors.survivors() + ", " + reveals.size() + " shares revealed";
    }

    private void advertise(MaskingSite.Secrets secrets) {
        idempotent(() -> coordinator.secureAggregation(site, task.federationId(), task.round(), "keys",
                new SecureAggregationProtocol.Keys(secrets.encryptionPublic().toString(16), secrets.maskingPublic().toString(16))));
    }

    /** The round's secrets, made once and kept in the site's work folder until the round is over. */
    private MaskingSite.Secrets secrets() {
        Path file = site.home().resolve("work").resolve("federation-" + task.federationId() + "-round-" + task.round() + "-secagg.secrets");
        try {
            if (Files.exists(file)) {
                return MaskingSite.Secrets.parse(Files.readString(file, StandardCharsets.US_ASCII));
            }
            MaskingSite.Secrets secrets = MaskingSite.Secrets.generate(new SecureRandom());
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, secrets.toText(), StandardCharsets.US_ASCII);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return secrets;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the secure-aggregation secrets of site " + site.code(), e);
        }
    }

    /** A generator seeded by the secrets, so the Shamir split is the same on every attempt. */
    private static SecureRandom splitRandom(MaskingSite.Secrets secrets) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(secrets.toText().getBytes(StandardCharsets.US_ASCII));
            sha.update("civitas shamir split".getBytes(StandardCharsets.US_ASCII));
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(sha.digest());
            return random;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A message the coordinator already has (an earlier attempt got through) counts as sent. */
    private static void idempotent(Runnable send) {
        try {
            send.run();
        } catch (CoordinatorClient.ProtocolException e) {
            if (e.status() != 409 || !e.getMessage().contains("DUPLICATE")) {
                throw e;
            }
        }
    }

    /** Polls until the answer is ready, or fails once the round's last phase is surely over. */
    private <T> T await(Supplier<T> fetch, Predicate<T> ready, String what) {
        // A backstop only: the coordinator fails a round whose phase runs out, and the next poll then says so.
        Instant giveUp = task.deadline().plus(java.time.Duration.ofMinutes(10));
        while (true) {
            T answer = fetch.get();
            if (ready.test(answer)) {
                return answer;
            }
            if (clock.instant().isAfter(giveUp)) {
                throw new IllegalStateException("gave up waiting for " + what + " of round " + task.round() + " of federation "
                        + task.federationId() + " at " + giveUp);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }
}
