package org.civitas.federation.common;

import jakarta.ejb.ApplicationException;

/** The request does not fit the current state of the thing it acts on; retrying later may succeed. The message says why. */
@ApplicationException(rollback = true)
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
