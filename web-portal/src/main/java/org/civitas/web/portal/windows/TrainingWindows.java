package org.civitas.web.portal.windows;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.site.HostedSites;
import org.civitas.federation.site.TrainingWindowService;
import org.civitas.web.api.dto.WindowBody;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The training-windows page: each site hosted here with its windows and whether one is open now;
 * the site's IT operator edits them, one window per line: {@code cron | length in seconds | zone}.
 */
@Named
@ViewScoped
public class TrainingWindows implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    TrainingWindowService windows;

    @Inject
    HostedSites hostedSites;

    @Inject
    CurrentCaller caller;

    private final HashMap<String, String> edits = new HashMap<>();
    private transient List<TrainingWindowService.Schedule> schedules;

    public List<TrainingWindowService.Schedule> getSchedules() {
        if (schedules == null) {
            schedules = hostedSites.codes().stream().map(windows::schedule).toList();
        }
        return schedules;
    }

    /** The site's windows as the edit box shows them. */
    public String text(TrainingWindowService.Schedule s) {
        return String.join("\n", s.windows().stream().map(w -> w.cron() + " | " + w.lengthSeconds() + " | " + w.timeZone()).toList());
    }

    /** Each site's edit box, filled with its current windows. */
    public Map<String, String> getEdits() {
        if (edits.isEmpty()) {
            getSchedules().forEach(s -> edits.put(s.site(), text(s)));
        }
        return edits;
    }

    public void save(String site) {
        List<WindowBody> requests = new ArrayList<>();
        String text = edits.getOrDefault(site, "");
        int line = 0;
        for (String raw : text.split("\\R")) {
            line++;
            if (raw.isBlank()) {
                continue;
            }
            String[] f = raw.split("\\|");
            if (f.length != 3) {
                Messages.error(Texts.of("windows.cannotSave", site), Texts.of("windows.badLine", line));
                return;
            }
            try {
                requests.add(new WindowBody(f[0].strip(), Long.parseLong(f[1].strip()), f[2].strip()));
            } catch (NumberFormatException e) {
                Messages.error(Texts.of("windows.cannotSave", site), Texts.of("windows.badLength", line, f[1].strip()));
                return;
            }
        }
        try {
            windows.set(caller.get(), site, WindowBody.windows(requests));
            Messages.info(Texts.of("windows.saved", site), "");
            schedules = null;
        } catch (InvalidRequestException | ForbiddenException | NotFoundException e) {
            Messages.error(Texts.of("windows.cannotSave", site), e.getMessage());
        }
    }
}
