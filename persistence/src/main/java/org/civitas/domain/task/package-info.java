/**
 * Tasks: what a consortium trains a model for (its labels, the modalities it reads, the metric it
 * is judged by), registered at the coordinator in immutable versions that plans and datasets name.
 */
package org.civitas.domain.task;
