/**
 * The model worker's contract, typed for both ends: the server's supervision writes a {@link
 * org.civitas.federation.core.worker.WorkerRequest} and reads its result record; the worker
 * process reads the same request and writes the same result. One JSON object per line ({@link
 * org.civitas.federation.core.worker.WorkerLines}); the wire format is documented on {@code
 * WorkerRequest}.
 */
package org.civitas.federation.core.worker;
