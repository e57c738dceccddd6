package org.civitas.federation.site;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.Dependent;
import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.infrastructure.worker.ModelWorker;

import java.util.List;

/** Embeds the texts of data-quality items with the model worker's text tower, a batch at a time. */
@Dependent
public class QualityTextEmbedder {

    /** How many texts go to the model worker at a time. */
    static final int BATCH = 64;

    @EJB
    ModelWorker worker;

    /** One vector per text, in order. */
    List<float[]> embed(List<String> texts) {
        List<float[]> out = worker.request(new WorkerRequest.Embed(null, texts), (step, steps, loss) -> { }).result().vectors();
        if (out.size() != texts.size()) {
            throw new IllegalStateException("the model worker embedded " + out.size() + " of " + texts.size() + " texts");
        }
        return out;
    }
}
