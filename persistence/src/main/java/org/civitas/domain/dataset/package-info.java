/** Datasets as the coordinator knows them: aggregates a site chose to register, nothing of the samples. */
package org.civitas.domain.dataset;
