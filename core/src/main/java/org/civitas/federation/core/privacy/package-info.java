/**
 * Privacy maths of the pure core: the Rényi-DP accountant of the sampled Gaussian mechanism and
 * its conversion to (epsilon, delta), and client-level differential privacy (clipping and Gaussian
 * noise) as a wrapper around any mean-type aggregation rule.
 */
package org.civitas.federation.core.privacy;
