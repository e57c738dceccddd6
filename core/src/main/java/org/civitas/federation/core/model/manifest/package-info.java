/**
 * The model manifest: which towers a multimodal model uses (artifact, sha256, dimensions), how its
 * adapters are shaped (rank, alpha, target layers) and the task's labels. Sites, the worker and
 * the coordinator read the same file; the registry records it with every model version.
 */
package org.civitas.federation.core.model.manifest;
