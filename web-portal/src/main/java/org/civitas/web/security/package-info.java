/**
 * Authentication: the portal's form login and the API's Basic credentials, both checked against
 * the user accounts in the database; sites authenticate on the participant protocol with their
 * own token instead.
 */
package org.civitas.web.security;
