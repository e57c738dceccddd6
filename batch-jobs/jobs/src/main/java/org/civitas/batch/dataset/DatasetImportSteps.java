package org.civitas.batch.dataset;

/** The application service behind {@code dataset-import}, implemented in the federation EJB module. */
public interface DatasetImportSteps {

    String JNDI_NAME = "java:app/ejb-federation/SiteDatasetService!org.civitas.batch.dataset.DatasetImportSteps";

    /**
     * Checks the manifest (a path inside the site's folder) against the task's newest version and
     * registers the dataset for it.
     *
     * @return a one-line summary
     */
    String importDataset(String site, String name, String manifest, boolean skipBadLines, String task);
}
