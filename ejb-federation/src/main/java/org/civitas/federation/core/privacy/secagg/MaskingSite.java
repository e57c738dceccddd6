package org.civitas.federation.core.privacy.secagg;

import javax.crypto.KeyAgreement;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.ArrayList;
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

    private final int index;
    private final KeyPair keys;
    private final byte[] selfMaskSeed = new byte[32];
    private final SecureRandom random;

    /** @param index this site's position among the round's sites, from 1 */
    public MaskingSite(int index, SecureRandom random) {
        if (index < 1) {
            throw new IllegalArgumentException("site index must be at least 1, was " + index);
        }
        this.index = index;
        this.random = random;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
            generator.initialize(NamedParameterSpec.X25519, random);
            this.keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available", e);
        }
        random.nextBytes(selfMaskSeed);
    }

    public int index() {
        return index;
    }

    public PublicKey publicKey() {
        return keys.getPublic();
    }

    /** Shares for sites 1..n with threshold t: element i goes to site i + 1. */
    public List<SharesFor> shares(int sites, int threshold) {
        List<Shamir.Share> seed = Shamir.split(selfMaskSeed, sites, threshold, random);
        List<Shamir.Share> key = Shamir.split(privateScalar(), sites, threshold, random);
        List<SharesFor> out = new ArrayList<>();
        for (int i = 0; i < sites; i++) {
            out.add(new SharesFor(i + 1, seed.get(i), key.get(i)));
        }
        return out;
    }

    /** The masked, fixed-point encoded update for the round, given every site's public key by index. */
    public int[] mask(float[] update, Map<Integer, PublicKey> publicKeys, long round, FixedPoint encoding) {
        int[] y = encoding.encode(update, publicKeys.size());
        List<Masks.Term> terms = new ArrayList<>();
        terms.add(new Masks.Term(selfMaskSeed, 1));
        for (Map.Entry<Integer, PublicKey> peer : publicKeys.entrySet()) {
            int v = peer.getKey();
            if (v != index) {
                terms.add(new Masks.Term(Masks.pairSeed(agree(keys.getPrivate(), peer.getValue()), round), v > index ? 1 : -1));
            }
        }
        Masks.addAll(y, terms, round);
        return y;
    }

    private byte[] privateScalar() {
        return ((XECPrivateKey) keys.getPrivate()).getScalar().orElseThrow(() ->
                new IllegalStateException("the X25519 private key does not expose its scalar"));
    }

    static byte[] agree(java.security.PrivateKey own, PublicKey other) {
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
    static java.security.PrivateKey privateKeyOf(byte[] scalar) {
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
