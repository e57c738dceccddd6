package org.civitas.federation.common;

import jakarta.ejb.ApplicationException;

/** A request a service refuses because of what it asked; the message says what was wrong. */
@ApplicationException(rollback = true)
public class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
