/**
 * Retention: the runs of the job that erases what the agreements' retention no longer allows, and
 * the record of each thing it erased (where, what, its hash and size).
 */
package org.civitas.domain.retention;
