/**
 * Domain aggregates of the consortium's records, persisted with JPA. Invariants live here: a
 * round itself refuses a late, duplicate or foreign update; a federation itself decides when its
 * next round opens.
 */
package org.civitas.domain;
