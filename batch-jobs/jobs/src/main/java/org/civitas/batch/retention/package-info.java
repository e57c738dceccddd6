/**
 * The {@code data-retention} job: erases at the coordinator and at this server's sites what the
 * agreements' retention no longer allows. The batch artifacts only call the application's steps.
 */
package org.civitas.batch.retention;
