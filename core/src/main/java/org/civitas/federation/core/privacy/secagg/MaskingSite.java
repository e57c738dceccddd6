package org.civitas.federation.core.privacy.secagg;

import javax.crypto.KeyAgreement;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * One site's side of a secure-aggregation round. The site advertises an X25519 public key; hands
 * every site (through the coordinator, encrypted to them in a real deployment) a Shamir share of
 * its self-mask seed and of its private key; and uploads only its masked update:
 * y = x + PRG(b) + Σ_{v>u} PRG(s_uv) − Σ_{v<u} PRG(s_uv) in the ring of 32-bit integers.
 */
public final class MaskingSite {

    /** The shares a site hands to one other site: of its self-mask seed and of its private key. */
    public record SharesFor(int holder, Shamir.Share selfMaskSeed, Shamir.Share privateKey) {
    }

    /**
     * A site's secrets for one round, made before it knows its place in the round: the X25519 key
     * pair its pairwise masks come from, a second pair that encrypts the shares it sends to each
     * other site (so the coordinator, which relays them, cannot read them), and its self-mask seed.
     * A site keeps them until the round ends, so that a restarted job goes on with the same keys.
     */
    public record Secrets(byte[] maskingScalar, BigInteger maskingPublic, byte[] encryptionScalar, BigInteger encryptionPublic,
                          byte[] selfMaskSeed) {

        public static Secrets generate(SecureRandom random) {
            KeyPair masking = generateKeyPair(random);
            KeyPair encryption = generateKeyPair(random);
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            return new Secrets(scalarOf(masking), encode(masking.getPublic()), scalarOf(encryption), encode(encryption.getPublic()), seed);
        }

        /** One line of text: the five values in hex, for the site's own store. */
        public String toText() {
            HexFormat hex = HexFormat.of();
            return String.join(" ", hex.formatHex(maskingScalar), maskingPublic.toString(16), hex.formatHex(encryptionScalar),
                    encryptionPublic.toString(16), hex.formatHex(selfMaskSeed));
        }

        public static Secrets parse(String text) {
            String[] f = text.strip().split(" ");
            if (f.length != 5) {
                throw new IllegalArgumentException("secure-aggregation secrets need 5 fields, found " + f.length);
            }
            HexFormat hex = HexFormat.of();
            return new Secrets(hex.parseHex(f[0]), new BigInteger(f[1], 16), hex.parseHex(f[2]), new BigInteger(f[3], 16),
                    hex.parseHex(f[4]));
        }

        PrivateKey maskingKey() {
            return privateKeyOf(maskingScalar);
        }

        PrivateKey encryptionKey() {
            return privateKeyOf(encryptionScalar);
        }
    }

    private final int index;
    private final Secrets secrets;
    private final SecureRandom random;

    /** @param index this site's position among the round's sites, from 1 */
    public MaskingSite(int index, SecureRandom random) {
        this(index, Secrets.generate(random), random);
    }

    /** A site whose secrets were made (and advertised) before its index in the round was known. */
    public MaskingSite(int index, Secrets secrets, SecureRandom random) {
        if (index < 1) {
            throw new IllegalArgumentException("site index must be at least 1, was " + index);
        }
        this.index = index;
        this.secrets = secrets;
        this.random = random;
    }

    private static KeyPair generateKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
            generator.initialize(NamedParameterSpec.X25519, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available", e);
        }
    }

    private static byte[] scalarOf(KeyPair pair) {
        return ((XECPrivateKey) pair.getPrivate()).getScalar().orElseThrow(() ->
                new IllegalStateException("the X25519 private key does not expose its scalar"));
    }

    public int index() {
        return index;
    }

    public PublicKey publicKey() {
        return publicKeyOf(secrets.maskingPublic());
    }

    public Secrets secrets() {
        return secrets;
    }

    /** Shares for sites 1..n with threshold t: element i goes to site i + 1. */
    public List<SharesFor> shares(int sites, int threshold) {
        List<Shamir.Share> seed = Shamir.split(secrets.selfMaskSeed(), sites, threshold, random);
        List<Shamir.Share> key = Shamir.split(secrets.maskingScalar(), sites, threshold, random);
        List<SharesFor> out = new ArrayList<>();
        for (int i = 0; i < sites; i++) {
            out.add(new SharesFor(i + 1, seed.get(i), key.get(i)));
        }
        return out;
    }

    /** Which of a site's secrets a share rebuilds. */
    public enum Secret { SELF_MASK_SEED, PRIVATE_KEY }

    /** A share a site hands back to the coordinator at the end of a round. */
    public record Reveal(int owner, Secret secret, Shamir.Share share) {
    }

    /**
     * What an honest site reveals once the coordinator names the survivors (the sites whose masked
     * update arrived): for a survivor, its share of the self-mask seed; for a site that dropped out,
     * its share of the private key. Never both for one site, which would unmask its update; and
     * nothing at all if fewer than t survived.
     *
     * @param held      the shares this site holds, by owner
     * @param survivors the survivors the coordinator named
     */
    public static List<Reveal> reveal(Map<Integer, SharesFor> held, java.util.Set<Integer> survivors, int threshold) {
        if (survivors.size() < threshold) {
            throw new IllegalArgumentException("the coordinator names " + survivors.size() + " survivors; at least " + threshold
                    + " are needed, so no share is revealed");
        }
        if (!held.keySet().containsAll(survivors)) {
            java.util.Set<Integer> unknown = new java.util.TreeSet<>(survivors);
            unknown.removeAll(held.keySet());
            throw new IllegalArgumentException("the coordinator names survivors " + unknown + " that never sent this site their shares");
        }
        List<Reveal> out = new ArrayList<>();
        new java.util.TreeMap<>(held).forEach((owner, shares) -> out.add(survivors.contains(owner)
                ? new Reveal(owner, Secret.SELF_MASK_SEED, shares.selfMaskSeed())
                : new Reveal(owner, Secret.PRIVATE_KEY, shares.privateKey())));
        return out;
    }

    /**
     * The masked, fixed-point encoded update for the round, given every site's public key by index,
     * its masks expanded in the round's format.
     */
    public int[] mask(float[] update, Map<Integer, PublicKey> publicKeys, long round, FixedPoint encoding, MaskFormat format) {
        int[] y = encoding.encode(update, publicKeys.size());
        List<Masks.Term> terms = new ArrayList<>();
        terms.add(new Masks.Term(secrets.selfMaskSeed(), 1));
        PrivateKey own = secrets.maskingKey();
        for (Map.Entry<Integer, PublicKey> peer : publicKeys.entrySet()) {
            int v = peer.getKey();
            if (v != index) {
                terms.add(new Masks.Term(Masks.pairSeed(agree(own, peer.getValue()), round), v > index ? 1 : -1));
            }
        }
        Masks.addAll(y, terms, round, format);
        return y;
    }

    static byte[] agree(PrivateKey own, PublicKey other) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(own);
            ka.doPhase(other, true);
            return ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 key agreement failed", e);
        }
    }

    /** A private key rebuilt from its scalar, as the coordinator does for a site that dropped out. */
    static PrivateKey privateKeyOf(byte[] scalar) {
        try {
            return KeyFactory.getInstance("X25519").generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A public key from its u-coordinate, as it travels. */
    public static PublicKey publicKeyOf(BigInteger u) {
        try {
            return KeyFactory.getInstance("X25519").generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, u));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static BigInteger encode(PublicKey key) {
        return ((XECPublicKey) key).getU();
    }
}
