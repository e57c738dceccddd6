package org.civitas.federation.common;

import jakarta.ejb.ApplicationException;

/**
 * A request that is well formed but whose content cannot be accepted as it is (a task that lists a
 * label twice): answered 422. The message names what to change.
 */
@ApplicationException(rollback = true)
public class UnprocessableException extends RuntimeException {
    public UnprocessableException(String message) {
        super(message);
    }
}
