package org.civitas.worker;

import org.civitas.federation.core.dataset.CitySafetyGenerator;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The synthetic city-safety data and a version-0 state, generated once per test JVM. */
final class WorkerTestData {

    private static Path root;

    private WorkerTestData() {
    }

    static synchronized Path root() {
        if (root == null) {
            try {
                root = Files.createTempDirectory("civitas-worker-test");
                new CitySafetyGenerator(CitySafetyGenerator.Config.defaults(7)).generateAll(root.resolve("data"));
                Files.write(root.resolve("global0.safetensors"),
                        SafeTensors.write(MultimodalWeights.initialState(ModelManifest.citySafetyDefault())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    static Path dataset(String site, String split) {
        return root().resolve("data").resolve(site).resolve(split + ".jsonl");
    }

    static Path initialState() {
        return root().resolve("global0.safetensors");
    }
}
