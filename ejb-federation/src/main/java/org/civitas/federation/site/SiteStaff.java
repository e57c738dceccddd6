package org.civitas.federation.site;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.security.Role;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.infrastructure.persistence.ConsortiumRepository;

/**
 * Who may act on a hosted site's private data: the staff of the enterprise that owns the site.
 * The one place that decides it, for imports, quality runs and flagged items alike, so that a
 * page or a resource cannot forget a check (a steward of one enterprise once imported a dataset
 * at another enterprise's site).
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class SiteStaff {

    @Inject
    HostedSites hostedSites;

    @Inject
    ConsortiumRepository consortium;

    /** The hosted site, or 404 when this server does not host it. */
    public Site hosted(String siteCode) {
        if (siteCode == null || !hostedSites.codes().contains(siteCode)) {
            throw new NotFoundException("site '" + siteCode + "' is not hosted on this server");
        }
        return consortium.site(siteCode).orElseThrow(() -> new NotFoundException("site '" + siteCode + "' is not registered"));
    }

    /** Registering a dataset: a data steward of the site's enterprise, or the consortium administrator. */
    public Site requireImporter(Caller caller, String siteCode) {
        Site site = hosted(siteCode);
        if (caller.has(Role.CONSORTIUM_ADMIN) || isOwnStaff(caller, site, Role.DATA_STEWARD)) {
            return site;
        }
        throw new ForbiddenException("only a data steward of " + enterprise(site) + " (or the consortium administrator) imports"
                + " datasets at site " + siteCode);
    }

    /** Checking a site's data: a data steward of the site's enterprise. */
    public Site requireDataSteward(Caller caller, String siteCode) {
        Site site = hosted(siteCode);
        if (!isOwnStaff(caller, site, Role.DATA_STEWARD)) {
            throw new ForbiddenException("only a data steward of " + enterprise(site) + " checks the datasets of site " + siteCode);
        }
        return site;
    }

    /** Whether the caller is on the staff of the site's enterprise (steward, compliance officer, IT operator). */
    public boolean isStaff(Caller caller, String siteCode) {
        return isStaff(caller, hosted(siteCode));
    }

    private static boolean isStaff(Caller caller, Site site) {
        return isOwnStaff(caller, site, Role.DATA_STEWARD) || isOwnStaff(caller, site, Role.COMPLIANCE_OFFICER)
                || isOwnStaff(caller, site, Role.IT_OPERATOR);
    }

    /** Predictions with the site's released models: the staff of the site's enterprise, its own users. */
    public Site requireModelUser(Caller caller, String siteCode) {
        Site site = hosted(siteCode);
        if (!isStaff(caller, site)) {
            throw new ForbiddenException("site " + siteCode + " answers predictions to the staff of " + enterprise(site) + " only");
        }
        return site;
    }

    /** Seeing items of a site's data: any staff of the site's enterprise (steward, compliance officer, IT operator). */
    public Site requireStaff(Caller caller, String siteCode) {
        Site site = hosted(siteCode);
        if (!isStaff(caller, site)) {
            throw new ForbiddenException("flagged items of site " + siteCode + " are shown to the staff of " + enterprise(site)
                    + " only; they never leave the site");
        }
        return site;
    }

    private static boolean isOwnStaff(Caller caller, Site site, Role role) {
        return caller.has(role) && enterprise(site).equals(caller.enterprise());
    }

    private static String enterprise(Site site) {
        return site.getEnterprise().getCode();
    }
}
