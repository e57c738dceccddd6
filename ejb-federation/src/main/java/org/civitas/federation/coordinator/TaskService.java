package org.civitas.federation.coordinator;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.security.Role;
import org.civitas.domain.task.TaskDefinition;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.common.UnprocessableException;
import org.civitas.federation.protocol.TaskDefinitionMessage;
import org.civitas.infrastructure.persistence.TaskRepository;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The consortium's tasks: the consortium administrator registers a task and, for any change, its
 * next version; a registered version never changes, so a plan, a dataset or a model that names it
 * keeps meaning the same thing. Every registration is a governance event in the audit chain.
 */
@Stateless
public class TaskService {

    /** A task version as callers see it. */
    public record TaskView(String name, int version, String description, List<String> labels, Set<String> modalities,
                           String primaryMetric, String sha256, String registeredBy, Instant registeredAt) {
    }

    @Inject
    Clock clock;

    @Inject
    TaskRepository tasks;

    @EJB
    AuditService audit;

    @Inject
    org.civitas.federation.infrastructure.CivitasSettings settings;

    /** A test split as callers see it. */
    public record TestSplitView(String task, int taskVersion, String name, String manifest, String contentSha256, int samples,
                                String registeredBy, Instant registeredAt) {
    }

    /**
     * Registers a test split for a task version (its newest when {@code version} is null): a manifest
     * inside the coordinator's folder ({@code civitas.data.dir/coordinator}), every line checked against
     * the task's labels and modalities. The task's federations' model versions are evaluated on the
     * newest split from then on.
     *
     * @throws UnprocessableException naming the bad lines (nothing stored)
     */
    public TestSplitView registerTestSplit(Caller caller, String taskName, Integer version, String name, String manifest) {
        caller.require("register test splits", Role.CONSORTIUM_ADMIN);
        TaskDefinition task = (version == null ? tasks.latest(taskName) : tasks.version(taskName, version)).orElseThrow(() ->
                new NotFoundException("task '" + taskName + "'" + (version == null ? "" : " has no version " + version + " or")
                        + " is not registered"));
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,99}") || manifest == null) {
            throw new InvalidRequestException("a test split needs name (lower-case letters, digits and -) and manifest (a path inside"
                    + " the coordinator's folder)");
        }
        java.nio.file.Path root = settings.coordinatorDir().toAbsolutePath().normalize();
        java.nio.file.Path file = CoordinatorFolder.manifestInside(root, manifest);
        org.civitas.federation.core.dataset.ManifestImporter.Report report;
        try {
            report = org.civitas.federation.core.dataset.ManifestImporter.check(file, java.util.Set.copyOf(task.getLabels()),
                    task.getModalities(), false, settings.imageMaxPixels());
        } catch (java.io.IOException e) {
            throw new InvalidRequestException("cannot read manifest '" + manifest + "': " + e.getMessage());
        }
        if (!report.accepted() || report.summary().labeled() < report.summary().samples()) {
            String first = report.errors().stream().limit(3).map(e -> "line " + e.line() + ": " + e.error())
                    .collect(java.util.stream.Collectors.joining("; "));
            throw new UnprocessableException("test split '" + name + "' of task '" + task.getName() + "' v" + task.getVersion() + ": "
                    + (report.errors().isEmpty() ? "every sample of a test split needs a label" : report.errors().size()
                    + " invalid lines (" + first + ")") + "; nothing was registered");
        }
        org.civitas.domain.task.TestSplit split = tasks.addTestSplit(new org.civitas.domain.task.TestSplit(task.getName(), task.getVersion(),
                name, root.relativize(file).toString(), report.summary().contentSha256(), report.summary().samples(), caller.username(),
                clock.instant()));
        audit.record(caller.actor(), "task.test-split.registered", "task " + task.getName() + " v" + task.getVersion(),
                "split " + name + ": " + split.getSamples() + " samples, content sha256 " + split.getContentSha256());
        return testSplitView(split);
    }

    public java.util.Optional<TestSplitView> testSplit(String taskName, int version) {
        return tasks.testSplit(taskName, version).map(TaskService::testSplitView);
    }

    static TestSplitView testSplitView(org.civitas.domain.task.TestSplit s) {
        return new TestSplitView(s.getTaskName(), s.getTaskVersion(), s.getName(), s.getManifest(), s.getContentSha256(), s.getSamples(),
                s.getRegisteredBy(), s.getRegisteredAt());
    }

    /** Whether the caller may register tasks and their versions. */
    public boolean mayRegister(Caller caller) {
        return caller.has(Role.CONSORTIUM_ADMIN);
    }

    /** Version 1 of a task whose name is new. */
    public TaskView register(Caller caller, TaskDefinition.Spec spec) {
        caller.require("register tasks", Role.CONSORTIUM_ADMIN);
        tasks.latest(spec.name()).ifPresent(t -> {
            throw new ConflictException("task '" + t.getName() + "' exists (version " + t.getVersion() + "); a change is its next"
                    + " version: POST /api/tasks/" + t.getName() + "/versions");
        });
        return add(caller, spec, 1);
    }

    /** The next version of a registered task; the versions before it stay as they are. */
    public TaskView newVersion(Caller caller, String name, TaskDefinition.Spec spec) {
        caller.require("register task versions", Role.CONSORTIUM_ADMIN);
        if (!name.equals(spec.name())) {
            throw new InvalidRequestException("name: the body names task '" + spec.name() + "', the address task '" + name + "'");
        }
        TaskDefinition latest = tasks.latest(name).orElseThrow(() -> new NotFoundException("task '" + name + "' is not registered"));
        return add(caller, spec, latest.getVersion() + 1);
    }

    private TaskView add(Caller caller, TaskDefinition.Spec spec, int version) {
        List<String> twice = spec.duplicateLabels();
        if (!twice.isEmpty()) {
            throw new UnprocessableException("labels must be distinct; given more than once: " + twice);
        }
        TaskDefinition task;
        try {
            task = tasks.add(new TaskDefinition(spec, version, caller.username(), clock.instant()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        audit.record(caller.actor(), "task.registered", "task " + task.getName() + " v" + task.getVersion(),
                task.getLabelCount() + " labels, " + String.join("+", task.getModalities()) + ", judged by " + task.getPrimaryMetric()
                        + ", sha256 " + task.getSha256());
        return view(task);
    }

    /** Every version of every task, by name and newest version first. */
    public List<TaskView> tasks() {
        return tasks.tasks().stream().map(TaskService::view).toList();
    }

    public List<TaskView> versions(String name) {
        List<TaskView> versions = tasks.versions(name).stream().map(TaskService::view).toList();
        if (versions.isEmpty()) {
            throw new NotFoundException("task '" + name + "' is not registered");
        }
        return versions;
    }

    public TaskView version(String name, int version) {
        return tasks.version(name, version).map(TaskService::view).orElseThrow(() ->
                new NotFoundException("task '" + name + "' has no version " + version));
    }

    /** The task's newest version, if the task is registered. */
    public java.util.Optional<TaskView> registered(String name) {
        return tasks.latest(name).map(TaskService::view);
    }

    public TaskView latest(String name) {
        return tasks.latest(name).map(TaskService::view).orElseThrow(() -> new NotFoundException("task '" + name + "' is not registered"));
    }

    /** A task version for a site: the newest when {@code version} is null. */
    public TaskDefinitionMessage definition(String name, Integer version) {
        TaskDefinition t = (version == null ? tasks.latest(name) : tasks.version(name, version)).orElseThrow(() ->
                new NotFoundException(version == null ? "task '" + name + "' is not registered" : "task '" + name + "' has no version " + version));
        return message(t);
    }

    static TaskDefinitionMessage message(TaskDefinition t) {
        return new TaskDefinitionMessage(t.getName(), t.getVersion(), t.getLabels(), t.getModalities(), t.getSha256());
    }

    static TaskView view(TaskDefinition t) {
        return new TaskView(t.getName(), t.getVersion(), t.getDescription(), t.getLabels(), t.getModalities(), t.getPrimaryMetric(),
                t.getSha256(), t.getRegisteredBy(), t.getRegisteredAt());
    }
}
