/**
 * The server's side of the model worker: starting the worker process on demand, speaking its
 * JSON-lines contract, keeping it warm between rounds, restarting it after a crash and stopping
 * it when idle. Nothing of libtorch or ONNX Runtime is loaded into the app server.
 */
package org.civitas.federation.infrastructure.worker;
