package org.civitas.domain.federation;

import org.erdtman.jcs.JsonCanonicalizer;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The canonical JSON forms a hash can be taken over. Plans, manifests and agreements are bound by
 * hash, so each stored hash records its form: {@link #RFC_8785} for everything hashed now, the
 * hand-built {@link #LEGACY} form for what was hashed before (kept so that approved agreements keep
 * matching their plans).
 */
public final class CanonicalJson {

    /** RFC 8785 JSON Canonicalization Scheme, by a library: sorted keys, ES6 numbers, one escaping. */
    public static final String RFC_8785 = "rfc8785";
    /** The hand-built form hashed until 2026-12: keys sorted by hand, strings escaped for quotes only. */
    public static final String LEGACY = "civitas-2026";

    private CanonicalJson() {
    }

    /** RFC 8785 form of a JSON text. */
    public static String of(String json) {
        try {
            return new JsonCanonicalizer(json).getEncodedString();
        } catch (IOException e) {
            throw new IllegalArgumentException("not canonicalizable JSON: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not canonicalizable JSON: " + e.getMessage(), e);
        }
    }

    /** A JSON string literal with every character JSON requires escaped (quotes, backslash, controls). */
    public static String string(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    public static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
