package org.civitas.worker;

import java.util.List;
import java.util.Map;

/**
 * The worker contract, one JSON object per line. Requests arrive on stdin; for each, the worker
 * writes zero or more {@code progress} lines and then exactly one {@code result} or {@code error}
 * line with the same {@code id} on stdout. Tensors travel as safetensors files named by path.
 *
 * <pre>
 * → {"id": "1", "op": "train", "manifest": "model.json", "dataset": "data/manifest.jsonl",
 *    "state": "global.safetensors", "out": "update.safetensors",
 *    "hyper": {"epochs": 2, "learningRate": 0.005, "batchSize": 32, "seed": 7, "proximalMu": 0}}
 * ← {"id": "1", "event": "progress", "step": 5, "steps": 40, "loss": 1.93}
 * ← {"id": "1", "event": "result", "out": "update.safetensors", "sha256": "...", "samples": 480,
 *    "metrics": {"trainLoss": 1.41, "globalLoss": 2.48, "accuracy": 0.71, "macroF1": 0.66, ...}}
 * → {"id": "2", "op": "evaluate", "manifest": ..., "dataset": ..., "state": ...}
 * → {"id": "3", "op": "embed", "manifest": ..., "texts": ["smoke from a substation"]}
 * → {"id": "4", "op": "shutdown"}        ← {"id": "4", "event": "result"} and the process exits 0
 * → {"op": "cancel", "target": "1"}      (while request 1 trains) ← {"id": "1", "event": "error", "message": "cancelled ..."}
 * </pre>
 *
 * On start the worker writes {@code {"event": "ready", ...}} naming its engine and devices. The
 * {@code delta} written to {@code out} is the trained state minus {@code state}, holding exactly
 * the manifest's trainable tensors; {@code manifest} may be omitted for the shipped default. With
 * {@code "checkpoint": "path"} a training run saves its progress after every epoch and where it is
 * cancelled, and a repeated request for the same run (same state and hyper-parameters) resumes
 * after the last saved step.
 * With {@code "heldout": manifest} the result also carries {@code heldout} metrics of the received
 * state (before training) on that split. A {@code cancel} line may come while a request runs: a
 * training request saves its progress at its next step, stops there and answers an error; the
 * worker stays up. A worker that ignores it is killed after a grace period.
 */
final class WorkerProtocol {

    private WorkerProtocol() {
    }

    /** A request line. */
    /**
     * The request a {@code {"op": "cancel", "target": "<id>"}} line asks to stop, or null when the
     * line is something else. Cancel lines are read beside the request that runs, not after it.
     */
    static String cancelTarget(com.fasterxml.jackson.databind.ObjectMapper json, String line) {
        if (!line.contains("\"cancel\"")) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode node = json.readTree(line);
            return "cancel".equals(node.path("op").asText()) && node.hasNonNull("target") ? node.get("target").asText() : null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    record Request(String id, String op, String manifest, String dataset, String state, String out, Hyper hyper, List<String> texts,
                   String checkpoint, String heldout) {
    }

    /** Training hyper-parameters as sent; missing ones take the defaults. */
    record Hyper(Integer epochs, Double learningRate, Integer batchSize, Long seed, Double proximalMu) {
        LocalTraining.Hyper resolve() {
            return new LocalTraining.Hyper(epochs == null ? 2 : epochs, learningRate == null ? 0.005 : learningRate,
                    batchSize == null ? 32 : batchSize, seed == null ? 1 : seed, proximalMu == null ? 0 : proximalMu);
        }
    }

    static Map<String, Object> ready(String engine, String device) {
        return Map.of("event", "ready", "engine", engine, "device", device, "pid", ProcessHandle.current().pid());
    }
}
