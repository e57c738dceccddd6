/**
 * The REST API's request bodies, checked at the boundary with Bean Validation ({@code @Valid} on
 * the resource method): a body that breaks a constraint is answered 400 with every broken field
 * ({@link org.civitas.web.api.ErrorMappers.Violations}) before any service runs. The services keep
 * the rules that need the database or the domain (an account exists, a key is not replaced).
 */
package org.civitas.web.api.dto;
