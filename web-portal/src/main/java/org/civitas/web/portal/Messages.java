package org.civitas.web.portal;

import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;

/** The portal's one way to tell the user what an action did: a global message the page's messages area shows. */
public final class Messages {

    private Messages() {
    }

    public static void info(String summary, String detail) {
        add(null, FacesMessage.SEVERITY_INFO, summary, detail);
    }

    public static void error(String summary, String detail) {
        add(null, FacesMessage.SEVERITY_ERROR, summary, detail);
    }

    /** An error beside one input of a form ({@code clientId} like "request:plan"). */
    public static void errorAt(String clientId, String summary, String detail) {
        add(clientId, FacesMessage.SEVERITY_ERROR, summary, detail);
    }

    private static void add(String clientId, FacesMessage.Severity severity, String summary, String detail) {
        FacesContext.getCurrentInstance().addMessage(clientId, new FacesMessage(severity, summary, detail));
    }
}
