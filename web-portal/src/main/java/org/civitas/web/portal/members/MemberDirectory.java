package org.civitas.web.portal.members;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.coordinator.DatasetRegistry;
import org.civitas.federation.coordinator.SiteService;
import org.civitas.federation.common.UserService;

import java.util.List;

/**
 * The members page: the enterprises, their sites, the datasets each site registered (metadata
 * only), how many of their agreements are active, and (for administrators and auditors) who may
 * log in for them.
 */
@Named
@ViewScoped
public class MemberDirectory implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    @jakarta.inject.Inject
    org.civitas.web.security.CurrentCaller caller;

    @EJB
    SiteService sites;

    @EJB
    DatasetRegistry datasets;

    @EJB
    AgreementService agreements;

    @EJB
    UserService users;

    private transient List<SiteService.EnterpriseView> enterprises;
    private transient List<DatasetRegistry.DatasetView> allDatasets;
    private transient List<AgreementService.AgreementView> allAgreements;

    public List<SiteService.EnterpriseView> getEnterprises() {
        if (enterprises == null) {
            enterprises = sites.enterprises();
        }
        return enterprises;
    }

    public List<DatasetRegistry.DatasetView> datasetsOf(String enterprise) {
        if (allDatasets == null) {
            allDatasets = datasets.datasets();
        }
        return allDatasets.stream().filter(d -> d.enterprise().equals(enterprise)).toList();
    }

    public long activeAgreementsOf(String enterprise) {
        if (allAgreements == null) {
            allAgreements = agreements.agreements();
        }
        return allAgreements.stream().filter(a -> a.enterprise().equals(enterprise) && "ACTIVE".equals(a.status())).count();
    }

    public boolean isMayListUsers() {
        return users.mayList(caller.get());
    }

    /** Users of an enterprise (null: the consortium's own), with their roles. */
    public List<String> usersOf(String enterprise) {
        if (!isMayListUsers()) {
            return List.of();
        }
        return users.users(caller.get()).stream().filter(u -> java.util.Objects.equals(u.enterprise(), enterprise))
                .map(MemberDirectory::describe).toList();
    }

    private static String describe(Caller u) {
        return u.username() + " (" + String.join(", ", u.roles().stream().map(Enum::name).sorted().toList()) + ")";
    }
}
