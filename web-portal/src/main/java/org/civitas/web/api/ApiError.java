package org.civitas.web.api;

/**
 * The JSON body of every error answer.
 *
 * @param error  what was wrong, in words
 * @param reason a stable code for scripts, where one applies
 */
public record ApiError(String error, String reason) {
}
