/**
 * The participant protocol's wire records, shared by the coordinator's participant endpoints and
 * the site's client: round tasks, update metadata, dataset registrations, training windows and
 * the secure-aggregation messages. Records and their parsing only.
 */
package org.civitas.federation.protocol;
