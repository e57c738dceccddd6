package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.registry.ModelVersion;

import java.util.List;
import java.util.Optional;

/** Model versions of the registry. */
@ApplicationScoped
public class ModelRegistryRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public ModelVersion add(ModelVersion version) {
        return GeneratedIds.persist(em, version);
    }

    public Optional<ModelVersion> version(long federationId, int versionNumber) {
        return em.createQuery("select m from ModelVersion m where m.federation.id = :f and m.versionNumber = :v", ModelVersion.class)
                .setParameter("f", federationId).setParameter("v", versionNumber)
                .getResultStream().findFirst();
    }

    public List<ModelVersion> versions(long federationId) {
        return em.createQuery("select m from ModelVersion m where m.federation.id = :f order by m.versionNumber", ModelVersion.class)
                .setParameter("f", federationId).getResultList();
    }

    public org.civitas.domain.registry.ModelRelease addRelease(org.civitas.domain.registry.ModelRelease release) {
        return GeneratedIds.persist(em, release);
    }

    public Optional<org.civitas.domain.registry.ModelRelease> releaseForUpdate(long id) {
        return Optional.ofNullable(EntityLocks.findForUpdate(em, org.civitas.domain.registry.ModelRelease.class, id));
    }

    /** Every release, newest first, with its version and federation. */
    public List<org.civitas.domain.registry.ModelRelease> releases() {
        return em.createQuery("select r from ModelRelease r join fetch r.version order by r.id desc",
                org.civitas.domain.registry.ModelRelease.class).getResultList();
    }

    /** The releases of one version that are proposed or released: at most one may be. */
    public List<org.civitas.domain.registry.ModelRelease> openReleases(long modelVersionId) {
        return em.createQuery("select r from ModelRelease r where r.version.id = :v and r.status in :open",
                        org.civitas.domain.registry.ModelRelease.class).setParameter("v", modelVersionId)
                .setParameter("open", List.of(org.civitas.domain.registry.ModelRelease.Status.PROPOSED,
                        org.civitas.domain.registry.ModelRelease.Status.RELEASED)).getResultList();
    }

    public org.civitas.domain.registry.ImportedModel addImported(org.civitas.domain.registry.ImportedModel imported) {
        return GeneratedIds.persist(em, imported);
    }

    public Optional<org.civitas.domain.registry.ImportedModel> importedForUpdate(long id) {
        return Optional.ofNullable(EntityLocks.findForUpdate(em, org.civitas.domain.registry.ImportedModel.class, id));
    }

    /** Every imported model, newest first. */
    public List<org.civitas.domain.registry.ImportedModel> imported() {
        return em.createQuery("select i from ImportedModel i order by i.id desc", org.civitas.domain.registry.ImportedModel.class)
                .getResultList();
    }

    /** The imports of that model hash that are served now: at most one is. */
    public List<org.civitas.domain.registry.ImportedModel> servedImports(String modelSha256) {
        return em.createQuery("select i from ImportedModel i where i.modelSha256 = :m and i.status = :s",
                        org.civitas.domain.registry.ImportedModel.class).setParameter("m", modelSha256)
                .setParameter("s", org.civitas.domain.registry.ImportedModel.Status.IMPORTED).getResultList();
    }
}
