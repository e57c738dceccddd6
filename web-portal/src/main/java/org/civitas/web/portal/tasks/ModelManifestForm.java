package org.civitas.web.portal.tasks;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Event;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.UnprocessableException;
import org.civitas.federation.coordinator.ModelManifestService;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;

/** The tasks page's form: the consortium administrator registers a model manifest, pasted as JSON. */
@Named
@ViewScoped
public class ModelManifestForm implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    ModelManifestService manifests;

    @EJB
    org.civitas.federation.coordinator.TaskService tasks;

    @Inject
    CurrentCaller caller;

    @Inject
    Event<TasksChanged> changed;

    private String json;

    /** Whether the caller registers manifests (the consortium administrator), and so sees this form. */
    public boolean isShown() {
        return tasks.mayRegister(caller.get());
    }

    public void register() {
        try {
            ModelManifestService.ManifestView m = manifests.register(caller.get(), json);
            Messages.info(Texts.of("manifests.registered", m.name(), String.join("+", m.modalities())), m.sha256());
            changed.fire(new TasksChanged());
        } catch (UnprocessableException | ForbiddenException e) {
            Messages.error(Texts.of("manifests.cannotRegister"), e.getMessage());
        }
    }

    public String getJson() {
        return json;
    }

    public void setJson(String json) {
        this.json = json;
    }
}
