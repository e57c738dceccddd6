package org.civitas.worker;

import org.civitas.federation.core.tensor.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * A training checkpoint in a safetensors file: the state after the saved step, with the step, the
 * loss sums, the start state's metrics and the identity of the run (its start state's and
 * hyper-parameters' hash) as metadata. A checkpoint of another run, or one that cannot be read
 * (an older form among them), is ignored.
 */
final class FileCheckpoint implements LocalTraining.Checkpoint {

    private static final Logger LOG = Logger.getLogger(FileCheckpoint.class.getName());

    private final Path file;
    private final String run;

    /** @param run identifies the run: the same start state and hyper-parameters give the same value */
    FileCheckpoint(Path file, String run) {
        this.file = file;
        this.run = run;
    }

    @Override
    public Optional<LocalTraining.Saved> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            SafeTensors.Decoded decoded = SafeTensors.read(Files.readAllBytes(file));
            Map<String, String> meta = decoded.metadata();
            if (!run.equals(meta.get("run"))) {
                LOG.info("Checkpoint " + file + " belongs to another run: starting over");
                return Optional.empty();
            }
            LocalTraining.Metrics before = new LocalTraining.Metrics(number(meta, "beforeLoss"), number(meta, "beforeAccuracy"),
                    number(meta, "beforeMacroF1"), (int) number(meta, "beforeSamples"));
            LocalTraining.Saved saved = new LocalTraining.Saved((int) number(meta, "stepsDone"), decoded.tensors(),
                    number(meta, "lossSum"), (long) number(meta, "lossCount"), before);
            LOG.info("Resuming from checkpoint " + file + " after step " + saved.stepsDone());
            return Optional.of(saved);
        } catch (IOException | RuntimeException e) {
            LOG.warning("Checkpoint " + file + " cannot be read (" + e.getMessage() + "): starting over");
            return Optional.empty();
        }
    }

    @Override
    public void save(LocalTraining.Saved saved) {
        LocalTraining.Metrics before = saved.before();
        byte[] bytes = SafeTensors.write(saved.state(), Map.of("run", run, "stepsDone", Integer.toString(saved.stepsDone()),
                "lossSum", Double.toString(saved.lossSum()), "lossCount", Long.toString(saved.lossCount()),
                "beforeLoss", Double.toString(before.loss()), "beforeAccuracy", Double.toString(before.accuracy()),
                "beforeMacroF1", Double.toString(before.macroF1()), "beforeSamples", Integer.toString(before.samples())));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.write(partial, bytes);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file, e);
        }
    }

    private static double number(Map<String, String> meta, String key) {
        String value = meta.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return Double.parseDouble(value);
    }

    @Override
    public void clear() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warning("cannot delete checkpoint " + file + ": " + e.getMessage());
        }
    }
}
