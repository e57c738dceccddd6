/**
 * Jakarta Batch jobs of a site. Step artifacts stay thin: they read their job parameters and call
 * an application service through a port, so no domain logic lives in a step.
 */
package org.civitas.batch;
