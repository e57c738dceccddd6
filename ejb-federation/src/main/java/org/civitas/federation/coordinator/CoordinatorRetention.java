package org.civitas.federation.coordinator;

import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.batch.retention.CoordinatorRetentionSteps;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.Federation;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.UpdateReceipt;
import org.civitas.domain.governance.AgreementDecision;
import org.civitas.domain.governance.DataSharingAgreement;
import org.civitas.federation.common.RetentionRecords;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.infrastructure.CoordinatorStores;
import org.civitas.federation.protocol.RetentionTerm;
import org.civitas.infrastructure.persistence.AgreementRepository;
import org.civitas.infrastructure.persistence.FederationRepository;
import org.civitas.infrastructure.persistence.RetentionRepository;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Retention at the coordinator: which agreement's retention governs what, the terms each site
 * keeps its own data by, and the erasure of received update tensors once their enterprise's
 * agreement for the plan no longer allows keeping them. The receipts stay (sizes, hashes, the
 * lineage of every model version); only the tensors go.
 *
 * <p>The governing agreement of an enterprise for a plan is its newest agreement for that plan that
 * both compliance officers approved (whatever became of it since: revoked or expired, its
 * retention still bounds what was shared under it). A dataset is governed by the longest retention
 * among the approved agreements that name it. Data no approved agreement governs is not judged.
 */
@Stateless
@LocalBean
@Local(CoordinatorRetentionSteps.class)
public class CoordinatorRetention implements CoordinatorRetentionSteps {

    @Inject
    java.time.Clock clock;

    @Inject
    AgreementRepository agreements;

    @Inject
    FederationRepository federations;

    @Inject
    org.civitas.infrastructure.persistence.ConsortiumRepository consortium;

    @Inject
    RetentionRepository retention;

    @Inject
    CoordinatorStores stores;

    @Inject
    CivitasSettings settings;

    @EJB
    RetentionRecords records;

    @Resource
    SessionContext context;

    /** The retention terms of a site's data: per federation it trains in, per dataset its enterprise shares. */
    public List<RetentionTerm> termsFor(SiteCaller caller) {
        Site site = consortium.site(caller.code()).orElseThrow(() ->
                new org.civitas.federation.common.NotFoundException("site " + caller.code() + " is not registered"));
        List<DataSharingAgreement> approved = approvedOf(site.getEnterprise().getCode());
        List<RetentionTerm> out = new ArrayList<>();
        for (Federation f : federations.federations()) {
            if (f.getPlan().includes(site)) {
                governing(f.getPlan(), approved).ifPresent(a -> out.add(new RetentionTerm(f.getId(), null, a.getRetentionDays(), a.getId())));
            }
        }
        Map<String, DataSharingAgreement> byDataset = new TreeMap<>();
        for (DataSharingAgreement a : approved) {
            for (String dataset : a.getDatasets()) {
                byDataset.merge(dataset, a, (x, y) -> y.getRetentionDays() > x.getRetentionDays() ? y : x);
            }
        }
        byDataset.forEach((dataset, a) -> out.add(new RetentionTerm(null, dataset, a.getRetentionDays(), a.getId())));
        return out;
    }

    /** The update tensors kept here whose retention has run out by {@code asOf}. */
    public List<RetentionRecords.Due> due(Instant asOf) {
        if (!settings.isCoordinator()) {
            return List.of();
        }
        Map<String, List<DataSharingAgreement>> approved = new HashMap<>();
        List<RetentionRecords.Due> out = new ArrayList<>();
        for (UpdateReceipt u : retention.keptUpdates()) {
            String enterprise = u.getSite().getEnterprise().getCode();
            Federation f = u.getRound().getFederation();
            Optional<DataSharingAgreement> governing = governing(f.getPlan(), approved.computeIfAbsent(enterprise, this::approvedOf));
            if (governing.isEmpty()) {
                continue;
            }
            int days = governing.get().getRetentionDays();
            Instant expires = u.getReceivedAt().plus(Duration.ofDays(days));
            if (!asOf.isBefore(expires)) {
                out.add(new RetentionRecords.Due("coordinator", "update", "federation " + f.getId() + " round " + u.getRound().getNumber()
                        + ": update of site " + u.getSite().getCode(), u.getSha256(), u.getSizeBytes(), governing.get().getId(), days,
                        expires, Long.toString(u.getId())));
            }
        }
        return out;
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String eraseAtCoordinator(long runId) {
        if (!settings.isCoordinator()) {
            return "not a coordinator: nothing to erase here";
        }
        Instant asOf = records.run(runId).getAsOf();
        CoordinatorRetention self = context.getBusinessObject(CoordinatorRetention.class);
        List<RetentionRecords.Due> due = self.due(asOf);
        Set<String> stillKept = self.keysKeptBeyond(due);
        long bytes = 0;
        for (RetentionRecords.Due d : due) {
            // One transaction per update: what was erased is recorded with it, whatever happens to the rest.
            if (self.eraseUpdate(runId, d, stillKept)) {
                bytes += d.sizeBytes();
            }
        }
        return "erased " + due.size() + " updates (" + bytes + " bytes) at the coordinator as of " + asOf;
    }

    /** Tensors are stored by content: the keys still kept under receipts that are not due, which stay on disk. */
    public Set<String> keysKeptBeyond(List<RetentionRecords.Due> due) {
        Set<String> dueIds = new HashSet<>();
        due.forEach(d -> dueIds.add(d.ref()));
        Set<String> stillKept = new HashSet<>();
        retention.keptUpdates().stream().filter(u -> !dueIds.contains(Long.toString(u.getId()))).forEach(u -> stillKept.add(u.getStorageKey()));
        return stillKept;
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public boolean eraseUpdate(long runId, RetentionRecords.Due due, Set<String> stillKept) {
        UpdateReceipt receipt = retention.receiptForUpdate(Long.parseLong(due.ref()));
        if (receipt == null || receipt.getErasedAt() != null) {
            return false;
        }
        receipt.erased(clock.instant());
        records.erased(runId, due);
        if (!stillKept.contains(receipt.getStorageKey())) {
            stores.updates().delete(receipt.getStorageKey());
        }
        return true;
    }

    private List<DataSharingAgreement> approvedOf(String enterprise) {
        return agreements.agreements().stream().filter(a -> a.getEnterprise().getCode().equals(enterprise))
                .filter(CoordinatorRetention::wasApproved).toList();
    }

    /** Approved by both compliance officers at some time, whatever it is now. */
    static boolean wasApproved(DataSharingAgreement a) {
        List<AgreementDecision> decisions = a.getDecisions();
        return decisions.size() == 2 && decisions.stream().allMatch(AgreementDecision::isApproved);
    }

    /** The newest approved agreement of the enterprise for exactly this plan. */
    static Optional<DataSharingAgreement> governing(FederationPlan plan, List<DataSharingAgreement> approved) {
        return approved.stream().filter(a -> plan.sha256In(a.getPlanCanonicalForm()).equals(a.getPlanSha256()))
                .max(Comparator.comparing(DataSharingAgreement::getId));
    }
}
