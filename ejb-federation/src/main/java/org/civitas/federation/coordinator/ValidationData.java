package org.civitas.federation.coordinator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.federation.core.data.FeatureCsv;
import org.civitas.federation.core.data.SyntheticFeatureData;
import org.civitas.federation.core.model.LabeledFeatures;
import org.civitas.federation.infrastructure.CivitasSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The coordinator's own validation split for valuing contributions: balanced over the classes,
 * drawn like the sites' data but from none of them, kept in the coordinator's folder.
 */
@ApplicationScoped
public class ValidationData {

    static final long SEED = 4242;
    static final int SAMPLES = 600;

    @Inject
    CivitasSettings settings;

    public synchronized LabeledFeatures features(int featureCount, int classCount) {
        Path file = settings.coordinatorDir().resolve("validation")
                .resolve("features-" + featureCount + "x" + classCount + ".csv");
        try {
            if (!Files.exists(file)) {
                double[] balanced = new double[classCount];
                java.util.Arrays.fill(balanced, 1.0);
                FeatureCsv.write(SyntheticFeatureData.generate(featureCount, balanced, SAMPLES, SEED), file);
            }
            return FeatureCsv.read(file, classCount);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the coordinator's validation split", e);
        }
    }
}
