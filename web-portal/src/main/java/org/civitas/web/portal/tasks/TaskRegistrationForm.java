package org.civitas.web.portal.tasks;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Event;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.civitas.domain.task.TaskDefinition;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.common.UnprocessableException;
import org.civitas.federation.coordinator.TaskService;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tasks page's form: the consortium administrator registers a task, one label per line in the
 * order of the model's head; a name already registered gets its next version.
 */
@Named
@ViewScoped
public class TaskRegistrationForm implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    TaskService tasks;

    @Inject
    CurrentCaller caller;

    @Inject
    Event<TasksChanged> changed;

    private String name;
    private String description;
    private String labels;
    private List<String> modalities = new ArrayList<>(List.of("image", "text"));
    private String primaryMetric = "macro-f1";

    /** Whether the caller registers tasks, and so sees this form. */
    public boolean isShown() {
        return tasks.mayRegister(caller.get());
    }

    public Set<String> getModalityChoices() {
        return new TreeSet<>(TaskDefinition.MODALITIES);
    }

    public Set<String> getMetricChoices() {
        return new TreeSet<>(TaskDefinition.METRICS);
    }

    public void register() {
        List<String> lines = labels == null ? List.of()
                : Arrays.stream(labels.split("\\R")).map(String::strip).filter(l -> !l.isEmpty()).toList();
        TaskDefinition.Spec spec = new TaskDefinition.Spec(name == null ? null : name.strip(), description, lines,
                new LinkedHashSet<>(modalities), primaryMetric);
        try {
            boolean known = spec.name() != null && tasks.registered(spec.name()).isPresent();
            TaskService.TaskView task = known ? tasks.newVersion(caller.get(), spec.name(), spec) : tasks.register(caller.get(), spec);
            Messages.info(Texts.of("tasks.registered", task.name(), task.version(), task.labels().size()), task.sha256());
            changed.fire(new TasksChanged());
        } catch (InvalidRequestException | UnprocessableException | ConflictException | ForbiddenException | NotFoundException e) {
            Messages.error(Texts.of("tasks.cannotRegister"), e.getMessage());
        }
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getLabels() {
        return labels;
    }

    public void setLabels(String labels) {
        this.labels = labels;
    }

    public List<String> getModalities() {
        return modalities;
    }

    public void setModalities(List<String> modalities) {
        this.modalities = modalities;
    }

    public String getPrimaryMetric() {
        return primaryMetric;
    }

    public void setPrimaryMetric(String primaryMetric) {
        this.primaryMetric = primaryMetric;
    }
}
