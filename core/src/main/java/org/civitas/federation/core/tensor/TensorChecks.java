package org.civitas.federation.core.tensor;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/** Checks an incoming update must pass before it is accepted; each failure names the problem. */
public final class TensorChecks {

    private TensorChecks() {
    }

    /** Thrown when an update does not match the expected layout or holds non-finite values. */
    public static final class InvalidUpdateException extends IllegalArgumentException {
        public InvalidUpdateException(String message) {
            super(message);
        }
    }

    /** The update must carry exactly the expected tensor names, each with the expected shape. */
    public static void requireSameLayout(NamedTensors expected, NamedTensors actual) {
        if (!expected.names().equals(actual.names())) {
            Set<String> missing = new TreeSet<>(expected.names());
            missing.removeAll(actual.names());
            Set<String> unexpected = new TreeSet<>(actual.names());
            unexpected.removeAll(expected.names());
            StringBuilder msg = new StringBuilder("tensor names do not match the model state:");
            if (!missing.isEmpty()) {
                msg.append(" missing ").append(missing);
            }
            if (!unexpected.isEmpty()) {
                msg.append(" unexpected ").append(unexpected);
            }
            throw new InvalidUpdateException(msg.toString());
        }
        expected.forEach((name, t) -> {
            Tensor other = actual.get(name);
            if (!other.hasShape(t.shape())) {
                throw new InvalidUpdateException("tensor '" + name + "' has shape " + Arrays.toString(other.shape())
                        + ", expected " + Arrays.toString(t.shape()));
            }
        });
    }

    /** Every value must be finite: one NaN or infinity would poison the aggregate. */
    public static void requireFinite(NamedTensors update) {
        update.forEach((name, t) -> {
            int index = t.firstNonFiniteIndex();
            if (index >= 0) {
                throw new InvalidUpdateException("tensor '" + name + "' holds a non-finite value ("
                        + t.values()[index] + ") at flat index " + index);
            }
        });
    }
}
