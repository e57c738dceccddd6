/** The {@code personal-head} job: a site trains the head of a released version on its own data. */
package org.civitas.batch.personal;
