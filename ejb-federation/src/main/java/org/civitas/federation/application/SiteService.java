package org.civitas.federation.application;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.civitas.infrastructure.persistence.ConsortiumRepository;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/** Registers sites of member enterprises; a new site's token is shown once and stored only as a hash. */
@Stateless
public class SiteService {

    /** A registered site. The token is set only in the answer to its registration. */
    public record SiteView(String code, String name, String enterprise, String token) {
    }

    /** What a caller sends to register a site. */
    public record SiteRegistration(String code, String name, String enterprise) {
    }

    @Inject
    ConsortiumRepository consortium;

    public SiteView register(SiteRegistration request) {
        if (request == null || request.code() == null || request.enterprise() == null) {
            throw new InvalidRequestException("a site registration needs code and enterprise (and optionally name)");
        }
        if (consortium.site(request.code()).isPresent()) {
            throw new InvalidRequestException("site '" + request.code() + "' already exists");
        }
        Enterprise enterprise = consortium.enterprise(request.enterprise()).orElseThrow(() ->
                new InvalidRequestException("unknown enterprise '" + request.enterprise() + "'"));
        String token = newToken();
        try {
            Site site = consortium.add(new Site(request.code(), request.name() == null ? request.code() : request.name(),
                    enterprise, token));
            return new SiteView(site.getCode(), site.getDisplayName(), enterprise.getCode(), token);
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
                .map(s -> new SiteView(s.getCode(), s.getDisplayName(), s.getEnterprise().getCode(), null)).toList();
    }

    static String newToken() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }
}
