package org.civitas.federation.coordinator;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import org.civitas.domain.task.TaskDefinition;
import org.civitas.federation.common.BuiltInTask;
import org.civitas.federation.common.Caller;
import org.civitas.federation.core.dataset.Taxonomy;
import org.civitas.federation.infrastructure.CivitasSettings;

import java.util.Set;

/**
 * Every coordinator registers the task of the built-in multimodal model, whose head is sized to its
 * 12 incident labels, through the task registry like any consortium's task: sites import their
 * city-safety data for it. Registered once, as the platform.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
public class BuiltInTasks {

    @Inject
    CivitasSettings settings;

    @EJB
    TaskService tasks;

    @PostConstruct
    void register() {
        if (settings.role() == CivitasSettings.Role.PARTICIPANT || tasks.registered(BuiltInTask.TASK).isPresent()) {
            return;
        }
        tasks.register(Caller.SYSTEM, new TaskDefinition.Spec(BuiltInTask.TASK, "Classify a city-safety incident from the photo and"
                + " the report a member's staff filed about it", Taxonomy.LABELS, Set.of("image", "text"), "macro-f1"));
    }
}
