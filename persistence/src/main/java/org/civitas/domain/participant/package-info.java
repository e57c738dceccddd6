/**
 * Records a participant site keeps about its own work: which round tasks it trained for, with
 * which batch job, and how that ended. They never leave the site.
 */
package org.civitas.domain.participant;
