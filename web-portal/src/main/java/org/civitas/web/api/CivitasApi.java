package org.civitas.web.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Map;

/** The REST API, under {@code /civitas/api}. */
@ApplicationPath("api")
public class CivitasApi extends Application {

    /**
     * @RolesAllowed on the resources (403 for a wrong role) is switched on per implementation:
     * RESTEasy (WildFly) by the {@code resteasy.role.based.security} parameter in web.xml, Jersey
     * (Payara) by its own feature, named here so the API does not depend on Jersey's classes.
     */
    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jersey.config.server.provider.classnames", "org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature");
    }
}
