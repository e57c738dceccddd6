/**
 * Named float tensors and their exchange format (safetensors): what sites and the coordinator
 * send each other, and the checks an update must pass before anything is stored.
 */
package org.civitas.federation.core.tensor;
