package org.civitas.web.portal.tasks;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.TaskService;

import java.io.Serializable;
import java.util.List;

/** The tasks page's table: every version of every task the consortium registered. */
@Named
@ViewScoped
public class TaskCatalog implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How many labels the table shows before "…"; the task's API answer has them all. */
    static final int LABELS_SHOWN = 12;

    @EJB
    TaskService tasks;

    private transient List<TaskService.TaskView> all;

    public List<TaskService.TaskView> getTasks() {
        if (all == null) {
            all = tasks.tasks();
        }
        return all;
    }

    void reload(@Observes(notifyObserver = Reception.IF_EXISTS) TasksChanged event) {
        all = null;
    }

    /** The first labels in their order, as the table shows them. */
    public String labelsOf(TaskService.TaskView task) {
        List<String> labels = task.labels();
        String shown = String.join(", ", labels.subList(0, Math.min(LABELS_SHOWN, labels.size())));
        return labels.size() > LABELS_SHOWN ? shown + ", …" : shown;
    }
}
