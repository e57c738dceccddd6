package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.task.TaskDefinition;

import java.util.List;
import java.util.Optional;

/** Registered tasks, every version. */
@ApplicationScoped
public class TaskRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public TaskDefinition add(TaskDefinition task) {
        return GeneratedIds.persist(em, task);
    }

    /** Every version of every task, by name and then newest version first. */
    public List<TaskDefinition> tasks() {
        return em.createQuery("select t from TaskDefinition t order by t.name, t.version desc", TaskDefinition.class).getResultList();
    }

    public List<TaskDefinition> versions(String name) {
        return em.createQuery("select t from TaskDefinition t where t.name = :n order by t.version", TaskDefinition.class)
                .setParameter("n", name).getResultList();
    }

    public Optional<TaskDefinition> version(String name, int version) {
        return em.createQuery("select t from TaskDefinition t where t.name = :n and t.version = :v", TaskDefinition.class)
                .setParameter("n", name).setParameter("v", version).getResultStream().findFirst();
    }

    public Optional<TaskDefinition> latest(String name) {
        return em.createQuery("select t from TaskDefinition t where t.name = :n order by t.version desc", TaskDefinition.class)
                .setParameter("n", name).setMaxResults(1).getResultStream().findFirst();
    }

    public org.civitas.domain.task.TestSplit addTestSplit(org.civitas.domain.task.TestSplit split) {
        return GeneratedIds.persist(em, split);
    }

    /** The newest test split of a task version: the one its federations' model versions are evaluated on. */
    public Optional<org.civitas.domain.task.TestSplit> testSplit(String name, int version) {
        return em.createQuery("select s from TestSplit s where s.taskName = :n and s.taskVersion = :v order by s.id desc",
                org.civitas.domain.task.TestSplit.class).setParameter("n", name).setParameter("v", version).setMaxResults(1)
                .getResultStream().findFirst();
    }
}
