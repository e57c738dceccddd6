package org.civitas.worker;

import org.civitas.federation.core.worker.WorkerLines;
import org.civitas.federation.core.worker.WorkerRequest;

import java.util.Map;

/**
 * The worker's reading of the contract that {@link WorkerRequest} defines for both ends: which
 * request a cancel line names, and the defaults of hyper-parameters a request leaves out.
 */
final class WorkerProtocol {

    private WorkerProtocol() {
    }

    /**
     * The request a {@code {"op": "cancel", "target": "<id>"}} line asks to stop, or null when the
     * line is something else. Cancel lines are read beside the request that runs, not after it.
     */
    static String cancelTarget(String line) {
        if (!line.contains("\"cancel\"")) {
            return null;
        }
        try {
            Map<String, Object> fields = WorkerLines.read(line);
            return "cancel".equals(fields.get("op")) && fields.get("target") != null ? String.valueOf(fields.get("target")) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Training hyper-parameters as sent, the missing ones taking the defaults. */
    static LocalTraining.Hyper resolve(WorkerRequest.Hyper h) {
        if (h == null) {
            h = new WorkerRequest.Hyper(null, null, null, null, null);
        }
        return new LocalTraining.Hyper(h.epochs() == null ? 2 : h.epochs(), h.learningRate() == null ? 0.005 : h.learningRate(),
                h.batchSize() == null ? 32 : h.batchSize(), h.seed() == null ? 1 : h.seed(), h.proximalMu() == null ? 0 : h.proximalMu(),
                Boolean.TRUE.equals(h.freezeLoraA()), Boolean.TRUE.equals(h.headOnly()));
    }
}
