/**
 * Pretraining at the coordinator: the public datasets a consortium names, and the runs that
 * pretrain an image tower on one, whose result a manifest names as its tower's base.
 */
package org.civitas.domain.pretraining;
