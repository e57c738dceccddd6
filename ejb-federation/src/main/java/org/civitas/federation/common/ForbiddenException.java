package org.civitas.federation.common;

import jakarta.ejb.ApplicationException;

/** A caller whose role or enterprise does not allow the action; the message says what would. Nothing is changed. */
@ApplicationException(rollback = true)
public class ForbiddenException extends RuntimeException {
    public ForbiddenException(String message) {
        super(message);
    }
}
