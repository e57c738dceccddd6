package org.civitas.federation.common;

import jakarta.ejb.ApplicationException;

/** The thing asked for does not exist; the message names it. */
@ApplicationException(rollback = true)
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
