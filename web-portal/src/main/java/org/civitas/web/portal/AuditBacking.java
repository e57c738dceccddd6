package org.civitas.web.portal;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import org.civitas.federation.common.AuditService;

import java.util.List;

/** The audit page: the chain's verification and its newest entries, filtered by the {@code prefix} parameter. */
@Named
@RequestScoped
public class AuditBacking {

    static final int SHOWN = 500;

    @EJB
    AuditService audit;

    private String prefix;
    private List<AuditService.EntryView> entries;
    private AuditService.VerificationView verification;

    public List<AuditService.EntryView> getEntries() {
        if (entries == null) {
            entries = audit.recent(prefix, SHOWN);
        }
        return entries;
    }

    public AuditService.VerificationView getVerification() {
        if (verification == null) {
            verification = audit.verify();
        }
        return verification;
    }

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }
}
