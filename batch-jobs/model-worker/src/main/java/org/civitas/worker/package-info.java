/**
 * The model worker: a process of its own that runs the multimodal model for a server (a site
 * training, the coordinator evaluating), so libtorch's and ONNX Runtime's natives, threads and
 * memory never live inside the app server. It reads requests and writes progress and results as
 * JSON lines (see {@link org.civitas.federation.core.worker.WorkerRequest}); any program that speaks the same
 * lines and reads and writes the same safetensors files can take its place.
 */
package org.civitas.worker;
