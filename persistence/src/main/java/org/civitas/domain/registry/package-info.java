/** The model registry: every global model version with its lineage (federation, round, parent). */
package org.civitas.domain.registry;
