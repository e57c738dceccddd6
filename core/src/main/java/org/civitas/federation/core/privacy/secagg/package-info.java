/**
 * Secure aggregation in the style of Bonawitz et al., "Practical Secure Aggregation for
 * Privacy-Preserving Machine Learning", CCS 2017: each site masks its fixed-point encoded update
 * with pairwise masks (X25519 key agreement, expanded by AES-256 in counter mode or, in the first
 * {@link org.civitas.federation.core.privacy.secagg.MaskFormat}, ChaCha20) and a self mask, and
 * Shamir-shares its mask secrets with threshold t, so the coordinator can remove the masks of sites
 * that dropped out and learns only the sum of the surviving sites' updates.
 */
package org.civitas.federation.core.privacy.secagg;
