/**
 * A site: the sites this server hosts, their identities and private data, the client of the
 * coordinator, the poller that picks up round tasks, the services behind the {@code local-finetune},
 * {@code dataset-import} and {@code data-quality} jobs, and training windows. It never reaches
 * into {@code coordinator}: what the two sides share is in {@code protocol}.
 */
package org.civitas.federation.site;
