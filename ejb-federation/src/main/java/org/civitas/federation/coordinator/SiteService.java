package org.civitas.federation.coordinator;

import org.civitas.domain.security.Role;

import org.civitas.federation.common.Caller;

import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.InvalidRequestException;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.civitas.infrastructure.persistence.ConsortiumRepository;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * Registers member enterprises and their sites; a new site's token is shown once and stored only
 * as a hash. Both are governance events in the audit chain.
 */
@Stateless
public class SiteService {

    /**
     * A registered site. The token is set only in the answer to its registration; the fingerprint
     * of its Ed25519 signing key once the site has registered one.
     */
    public record SiteView(String code, String name, String enterprise, String token, String signingKeyFingerprint) {
    }

    @Inject
    ConsortiumRepository consortium;

    @jakarta.ejb.EJB
    AuditService audit;

    public EnterpriseView registerEnterprise(Caller caller, String code, String name, String sector) {
        caller.require("register enterprises", Role.CONSORTIUM_ADMIN);
        String actor = caller.actor();
        if (consortium.enterprise(code).isPresent()) {
            throw new ConflictException("enterprise '" + code + "' already exists");
        }
        try {
            Enterprise enterprise = consortium.add(new Enterprise(code, name, sector));
            audit.record(actor, "enterprise.registered", "enterprise " + enterprise.getCode(),
                    enterprise.getName() + " (" + enterprise.getSector() + ")");
            return new EnterpriseView(enterprise.getCode(), enterprise.getName(), enterprise.getSector(), List.of());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    /** Registers a site of an enterprise; its name defaults to its code. */
    public SiteView register(Caller caller, String code, String name, String enterpriseCode) {
        caller.require("register sites", Role.CONSORTIUM_ADMIN);
        String actor = caller.actor();
        if (consortium.site(code).isPresent()) {
            throw new ConflictException("site '" + code + "' already exists");
        }
        Enterprise enterprise = consortium.enterprise(enterpriseCode).orElseThrow(() ->
                new InvalidRequestException("unknown enterprise '" + enterpriseCode + "'"));
        String token = newToken();
        try {
            Site site = consortium.add(new Site(code, name == null ? code : name,
                    enterprise, token));
            audit.record(actor, "site.registered", "site " + site.getCode(), "of enterprise " + enterprise.getCode()
                    + "; its token was handed to the caller once");
            return new SiteView(site.getCode(), site.getDisplayName(), enterprise.getCode(), token, null);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    /** A member enterprise and its sites. */
    public record EnterpriseView(String code, String name, String sector, List<String> sites) {
    }

    public List<EnterpriseView> enterprises() {
        List<org.civitas.domain.consortium.Site> all = consortium.sites();
        return consortium.enterprises().stream().map(e -> new EnterpriseView(e.getCode(), e.getName(), e.getSector(),
                all.stream().filter(s -> s.getEnterprise().getCode().equals(e.getCode())).map(s -> s.getCode()).toList())).toList();
    }

    public List<SiteView> sites() {
        return consortium.sites().stream()
                .map(s -> new SiteView(s.getCode(), s.getDisplayName(), s.getEnterprise().getCode(), null,
                        s.getSigningKey() == null ? null : org.civitas.federation.core.identity.UpdateSignature.fingerprint(s.getSigningKey())))
                .toList();
    }

    static String newToken() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }
}
