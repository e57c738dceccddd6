package org.civitas.web.portal.playground;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.Part;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.protocol.ReleasedModel;
import org.civitas.federation.site.HostedSites;
import org.civitas.federation.site.PredictionService;
import org.civitas.federation.site.SiteStaff;
import org.civitas.web.portal.Chart;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.List;

/**
 * The playground: a site's staff pick a released version, type a report and/or choose a photo, and
 * see the labels the site's model ranks first, with every label's probability in a bar chart. It
 * goes through the same service as {@code POST /sites/{site}/predictions}, checks included.
 */
@Named
@ViewScoped
public class Playground implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    PredictionService predictions;

    @EJB
    SiteStaff staff;

    @EJB
    org.civitas.federation.site.PersonalHeadService personalHeads;

    /** What the version list offers: a released version, or the site's personal head on one ({@code <sha256>#head-<id>}). */
    public record Choice(String value, String label) {
    }

    private static final String HEAD = "#head-";

    @Inject
    HostedSites hostedSites;

    @Inject
    CurrentCaller caller;

    private String site;
    private String version;
    private String text;
    private transient Part image;
    private PredictionService.Answer answer;
    private transient List<ReleasedModel> released;

    /** The hosted sites whose enterprise the user works for: those it may ask. */
    public List<String> getSites() {
        return hostedSites.codes().stream().filter(code -> staff.isStaff(caller.get(), code)).sorted().toList();
    }

    public String getSite() {
        if (site == null && !getSites().isEmpty()) {
            site = getSites().get(0);
        }
        return site;
    }

    public void setSite(String site) {
        this.site = site;
        this.released = null;
    }

    /** The versions released now, as the site's coordinator lists them. */
    public List<ReleasedModel> getReleased() {
        if (released == null) {
            released = getSite() == null ? List.of() : predictions.released(caller.get(), getSite());
        }
        return released;
    }

    /**
     * The released versions, then the site's trained personal heads on them, with how each head did
     * against the global version on the site's held-out data.
     */
    public List<Choice> getChoices() {
        List<Choice> choices = new java.util.ArrayList<>();
        getReleased().forEach(m -> choices.add(new Choice(m.modelSha256(), label(m))));
        if (!getReleased().isEmpty()) {
            java.util.Map<String, ReleasedModel> bySha = new java.util.HashMap<>();
            getReleased().forEach(m -> bySha.put(m.modelSha256(), m));
            for (org.civitas.federation.site.PersonalHeadService.HeadView h : personalHeads.heads(caller.get(), getSite())) {
                ReleasedModel m = bySha.get(h.version());
                if ("COMPLETED".equals(h.status()) && m != null) {
                    String figures = h.personalMacroF1() == null ? "" : Texts.of("playground.headFigures",
                            String.format(java.util.Locale.ROOT, "%.3f", h.globalMacroF1()),
                            String.format(java.util.Locale.ROOT, "%.3f", h.personalMacroF1()));
                    choices.add(new Choice(m.modelSha256() + HEAD + h.id(), Texts.of("playground.headLabel", h.id(), label(m), figures)));
                }
            }
        }
        return choices;
    }

    public String label(ReleasedModel m) {
        String label = Texts.of("playground.versionLabel", m.federationId(), m.version(), String.format(java.util.Locale.ROOT, "%.3f",
                m.evalMacroF1()), m.modelSha256().substring(0, 12));
        return m.importedFrom() == null ? label : Texts.of("playground.importedLabel", label, m.importedFrom());
    }

    public void predict() {
        String encoded = null;
        try {
            if (image != null && image.getSize() > 0) {
                if (image.getSize() > PredictionService.MAX_IMAGE_BYTES) {
                    Messages.error(Texts.of("playground.cannotPredict"), Texts.of("playground.imageTooLarge", PredictionService.MAX_IMAGE_BYTES));
                    return;
                }
                try (InputStream in = image.getInputStream()) {
                    encoded = Base64.getEncoder().encodeToString(in.readAllBytes());
                }
            }
            int head = version == null ? -1 : version.indexOf(HEAD);
            answer = predictions.predict(caller.get(), getSite(), new PredictionService.Request(head < 0 ? version : version.substring(0, head),
                    List.of(new PredictionService.Input(text, encoded)), 3,
                    head < 0 ? null : Long.valueOf(version.substring(head + HEAD.length()))));
        } catch (InvalidRequestException | NotFoundException | ForbiddenException e) {
            answer = null;
            Messages.error(Texts.of("playground.cannotPredict"), e.getMessage());
        } catch (IOException e) {
            answer = null;
            Messages.error(Texts.of("playground.cannotPredict"), e.getMessage());
        }
    }

    public PredictionService.Prediction getPrediction() {
        return answer == null ? null : answer.predictions().get(0);
    }

    public PredictionService.Answer getAnswer() {
        return answer;
    }

    /** Every label's probability, most probable first. */
    public String getChart() {
        if (answer == null) {
            return null;
        }
        List<java.util.Map.Entry<String, Double>> ranked = getPrediction().probabilities().entrySet().stream()
                .sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed()).toList();
        return Chart.bar().horizontal().withoutLegend().labels(ranked.stream().map(java.util.Map.Entry::getKey).toList())
                .series(Texts.of("playground.probability"), ranked.stream().map(java.util.Map.Entry::getValue).toList(), "#2563eb")
                .json();
    }

    /** The time the site took, in the page's words. */
    public String milliseconds(double ms) {
        return Texts.of("playground.latency", String.format(java.util.Locale.ROOT, "%.0f", ms));
    }

    public String percent(double p) {
        return String.format(java.util.Locale.ROOT, "%.1f %%", 100 * p);
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getText() {
        return text;
    }

    public void setText(String text) {
        this.text = text;
    }

    public Part getImage() {
        return image;
    }

    public void setImage(Part image) {
        this.image = image;
    }
}
