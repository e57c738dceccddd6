package org.civitas.web.portal.quality;

import jakarta.ejb.EJB;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.site.DataQualityService;
import org.civitas.federation.site.HostedSites;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The quality page's area of the sites hosted here: each site's latest run with progress, the form
 * that checks a manifest, and for the site's own staff the flagged items with thumbnails (they never
 * leave the site).
 */
@Named
@ViewScoped
public class SiteQualityChecks implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    DataQualityService quality;

    @Inject
    HostedSites hostedSites;

    @Inject
    CurrentCaller caller;

    private final HashMap<String, String> manifests = new HashMap<>();
    private transient Map<String, DataQualityService.RunView> latest;

    public List<String> getSites() {
        return hostedSites.codes().stream().sorted().toList();
    }

    /** Each hosted site's newest quality run, if it has one. */
    public Map<String, DataQualityService.RunView> getLatest() {
        if (latest == null) {
            latest = new HashMap<>();
            for (String site : getSites()) {
                quality.runs(site).stream().findFirst().ifPresent(r -> latest.put(site, r));
            }
        }
        return latest;
    }

    public int progress(DataQualityService.RunView run) {
        return run.totalItems() == 0 ? 0 : (int) Math.min(100, 100 * run.itemsDone() / run.totalItems());
    }

    /** Whether the caller is on the staff of the site's enterprise, who may see its flagged items. */
    public boolean staffOf(String site) {
        return quality.mayInspectItems(caller.get(), site);
    }

    /** The newest completed run's flagged items; the page loads their thumbnails from {@link QualityItemImages}. */
    public List<DataQualityService.FindingView> flagged(String site) {
        DataQualityService.RunView run = getLatest().get(site);
        if (run == null || !"COMPLETED".equals(run.status()) || !staffOf(site)) {
            return List.of();
        }
        return quality.findings(caller.get(), site, run.id());
    }

    /** Where the thumbnail of a flagged item loads from, in this session. */
    public String thumbnail(String site, DataQualityService.FindingView item) {
        return FacesContext.getCurrentInstance().getExternalContext().getRequestContextPath() + QualityItemImages.PATH + "?site="
                + URLEncoder.encode(site, StandardCharsets.UTF_8) + "&run=" + getLatest().get(site).id() + "&line=" + item.line();
    }

    public Map<String, String> getManifests() {
        if (manifests.isEmpty()) {
            getSites().forEach(s -> manifests.put(s, "datasets/city-safety/train.jsonl"));
        }
        return manifests;
    }

    public void check(String site) {
        try {
            DataQualityService.RunView run = quality.start(caller.get(), site, "city-safety", getManifests().get(site), null, null, null, null);
            Messages.info(Texts.of("quality.started", run.id(), site), Texts.of("quality.started.detail", run.totalItems()));
            latest = null;
        } catch (InvalidRequestException | ForbiddenException | NotFoundException | ConflictException e) {
            Messages.error(Texts.of("quality.cannotCheck", site), e.getMessage());
        }
    }
}
