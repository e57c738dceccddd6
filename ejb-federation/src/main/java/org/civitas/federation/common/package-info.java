/**
 * What the coordinator and the site share inside one server: the caller and the exceptions the
 * boundary maps to HTTP, the audit chain, transactions, users and their logins, the schema
 * migration and the catalog of model kinds.
 */
package org.civitas.federation.common;
