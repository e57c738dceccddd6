package org.civitas.domain.federation;

/** An update a round refuses, with the reason a caller can map to a protocol status. */
public class UpdateRejectedException extends RuntimeException {

    /** Why an update was refused. */
    public enum Reason {
        UNKNOWN_SITE,
        NOT_A_PARTICIPANT,
        UNKNOWN_ROUND,
        ROUND_NOT_OPEN,
        DUPLICATE,
        INVALID_TENSORS,
        /** The metadata part: malformed, or a claim (such as the sample count) the coordinator cannot accept. */
        INVALID_METADATA,
        TOO_LARGE,
        BAD_SIGNATURE,
        REPLAYED
    }

    private final Reason reason;

    public UpdateRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason getReason() {
        return reason;
    }
}
