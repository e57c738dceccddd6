package org.civitas.web.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The REST API, under {@code /civitas/api}. */
@ApplicationPath("api")
public class CivitasApi extends Application {
}
