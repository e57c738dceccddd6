/**
 * JAX-RS resources: the participant protocol (sites fetch tasks and state, upload updates) and the
 * admin API (federations, sites). Errors map to JSON bodies that name the problem.
 */
package org.civitas.web.api;
