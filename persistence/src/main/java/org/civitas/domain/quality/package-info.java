/**
 * Data quality: a site's runs of the data-quality job, the features it measured per manifest line
 * and its findings (site only), and the aggregate reports the coordinator keeps per dataset.
 */
package org.civitas.domain.quality;
