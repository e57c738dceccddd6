/**
 * The participant side: the sites this server hosts, their identities and private data, the
 * poller that picks up round tasks, and the service behind the {@code local-finetune} job.
 */
package org.civitas.federation.participant;
