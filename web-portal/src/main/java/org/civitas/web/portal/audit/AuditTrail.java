package org.civitas.web.portal.audit;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.common.AuditService;

import java.util.List;

/** The audit page: the chain's verification and its newest entries, filtered by the {@code prefix} parameter. */
@Named
@ViewScoped
public class AuditTrail implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    static final int SHOWN = 500;

    @EJB
    AuditService audit;

    private String prefix;
    private transient List<AuditService.EntryView> entries;
    private transient AuditService.VerificationView verification;

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
