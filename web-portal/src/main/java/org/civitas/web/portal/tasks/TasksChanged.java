package org.civitas.web.portal.tasks;

/** A task or a task version was registered: the task list reads again. */
public record TasksChanged() {
}
