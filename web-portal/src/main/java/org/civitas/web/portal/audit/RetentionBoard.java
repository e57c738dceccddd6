package org.civitas.web.portal.audit;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.RetentionRecords;
import org.civitas.federation.common.RetentionRuns;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;
import java.util.List;

/** The audit page's retention runs: each run's state and what it erased, and a run started now by those who may. */
@Named
@ViewScoped
public class RetentionBoard implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    RetentionRecords records;

    @EJB
    RetentionRuns runs;

    @Inject
    CurrentCaller caller;

    private transient List<RetentionRecords.RunView> all;

    public List<RetentionRecords.RunView> getRuns() {
        if (all == null) {
            all = records.runs();
        }
        return all;
    }

    public boolean isMayRun() {
        return runs.mayRun(caller.get());
    }

    /** "3 things, 1.2 MB": what a run erased. */
    public String erased(RetentionRecords.RunView run) {
        long bytes = run.erased().stream().mapToLong(RetentionRecords.ErasureView::sizeBytes).sum();
        return Texts.of("retention.erased", run.erased().size(), bytes);
    }

    public void runNow() {
        try {
            RetentionRecords.RunView run = runs.start(caller.get(), null);
            Messages.info(Texts.of("retention.started", run.id()), "");
            all = null;
        } catch (ForbiddenException | InvalidRequestException e) {
            Messages.error(Texts.of("retention.cannotStart"), e.getMessage());
        }
    }
}
