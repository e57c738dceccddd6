package org.civitas.federation.protocol;

/**
 * A model version the consortium released, as the coordinator tells its sites: the model's hash, the
 * hash of the manifest it was trained as (bound to its task's labels), where it comes from, and the
 * evaluation attached to its release. A site serves predictions with released versions only.
 * A version imported from another coordinator's signed bundle names that coordinator's key
 * ({@code importedFrom}, its fingerprint), and its release, federation and version there; null for
 * the coordinator's own releases.
 */
public record ReleasedModel(long releaseId, long federationId, int version, String modelSha256, String manifestSha256,
                            String evalSplit, double evalMacroF1, String importedFrom) {
}
