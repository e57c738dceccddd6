package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.participant.SiteDataset;

import java.util.List;
import java.util.Optional;

/** The datasets the hosted sites imported, every version. */
@ApplicationScoped
public class SiteDatasetRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public SiteDataset add(SiteDataset dataset) {
        return GeneratedIds.persist(em, dataset);
    }

    public Optional<SiteDataset> find(String siteCode, String name, String contentSha256) {
        return em.createQuery("select d from SiteDataset d where d.siteCode = :s and d.name = :n and d.contentSha256 = :h", SiteDataset.class)
                .setParameter("s", siteCode).setParameter("n", name).setParameter("h", contentSha256).getResultStream().findFirst();
    }

    /**
     * The newest import of a dataset from this manifest (a path inside the site's folder): the version a
     * data-quality run over that manifest checked, unless the file was changed without being imported again.
     */
    public Optional<SiteDataset> ofManifest(String siteCode, String name, String manifest) {
        return em.createQuery("select d from SiteDataset d where d.siteCode = :s and d.name = :n and d.manifest = :m order by d.id desc",
                        SiteDataset.class).setParameter("s", siteCode).setParameter("n", name).setParameter("m", manifest)
                .setMaxResults(1).getResultStream().findFirst();
    }

    public List<SiteDataset> ofSite(String siteCode) {
        return em.createQuery("select d from SiteDataset d where d.siteCode = :s order by d.name, d.importedAt", SiteDataset.class)
                .setParameter("s", siteCode).getResultList();
    }
}
