package org.civitas.federation.infrastructure.worker;

import jakarta.annotation.PreDestroy;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.inject.Inject;
import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.core.worker.WorkerResult;
import org.civitas.federation.infrastructure.CivitasSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Logger;

/**
 * This server's model worker: started on the first request, kept warm across rounds, restarted
 * after a crash (the request that saw the crash fails, the next one gets a fresh worker), and
 * stopped after {@code civitas.worker.idle-seconds} without requests or with the server.
 * Requests are served one at a time; the hosted sites of a standalone server share the worker.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class ModelWorker {

    private static final Logger LOG = Logger.getLogger(ModelWorker.class.getName());

    @Inject
    CivitasSettings settings;

    // Read without the lock by interrupt(), which must not wait for the request it interrupts.
    private volatile WorkerProcess process;
    private volatile Object owner;
    private final java.util.Set<Object> cancelled = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private long lastUsed;
    private int starts;

    /** What a request cost beyond its own work: the worker's start, when this request had to start it. */
    public record Answer<R extends WorkerResult>(R result, Duration workerStartup) {
    }

    public <R extends WorkerResult> Answer<R> request(WorkerRequest<R> request, WorkerProcess.ProgressListener progress) {
        return request(new Object(), request, progress);
    }

    /**
     * A request on behalf of {@code owner} (a training run), which {@link #interrupt} can end: the
     * worker is killed mid-request (its last epoch checkpoint stays on disk), or the request is
     * refused if it had not begun yet.
     */
    public synchronized <R extends WorkerResult> Answer<R> request(Object owner, WorkerRequest<R> request,
                                                                   WorkerProcess.ProgressListener progress) {
        if (cancelled.remove(owner)) {
            throw new WorkerProcess.WorkerCrashedException("the request was stopped before it began");
        }
        this.owner = owner;
        Duration startup = Duration.ZERO;
        if (process == null || !process.isAlive()) {
            process = start();
            startup = process.startup();
        }
        lastUsed = System.nanoTime();
        try {
            return new Answer<>(process.request(request, progress), startup);
        } catch (WorkerProcess.WorkerCrashedException e) {
            LOG.warning("Model worker crashed: " + e.getMessage() + "; the next request starts a new one");
            process.kill();
            process = null;
            throw e;
        } finally {
            this.owner = null;
            lastUsed = System.nanoTime();
        }
    }

    /** How long a worker asked to cancel may take before it is killed (an external trainer may not know cancel). */
    static final Duration CANCEL_GRACE = Duration.ofSeconds(20);

    @jakarta.annotation.Resource
    jakarta.enterprise.concurrent.ManagedScheduledExecutorService scheduler;

    /**
     * Ends the owner's request: asks the worker to cancel it if it is serving it now (the worker
     * stays warm, so the next window does not pay a restart), and kills the worker if the request
     * is still running after {@link #CANCEL_GRACE}; or refuses the request when its turn comes.
     */
    public void interrupt(Object owner) {
        WorkerProcess running = process;
        if (owner.equals(this.owner) && running != null) {
            LOG.info(() -> "Stopping the model worker's current request for " + owner);
            if (!running.cancelCurrent()) {
                running.kill();
                return;
            }
            scheduler.schedule(() -> {
                if (owner.equals(this.owner) && process == running) {
                    LOG.warning(() -> "The model worker did not stop the request for " + owner + " within " + CANCEL_GRACE + "; killing it");
                    running.kill();
                }
            }, CANCEL_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } else {
            cancelled.add(owner);
        }
    }

    private WorkerProcess start() {
        Path home = settings.dataDir().resolve("worker");
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // libtorch and the tokenizer natives are unpacked once into the data folder, not the user's home.
        Map<String, String> env = new java.util.HashMap<>(settings.workerEnvironment());
        env.put("DJL_CACHE_DIR", home.resolve("djl-cache").toString());
        env.put("ENGINE_CACHE_DIR", home.resolve("djl-cache").toString());
        WorkerProcess started = WorkerProcess.start(settings.workerCommand(), home.resolve("worker.log"), env);
        starts++;
        LOG.info(() -> "Model worker started in " + started.startup().toMillis() + " ms (start " + starts + "): " + started.readyLine());
        return started;
    }

    /** Worker starts since the server started; a warm worker serves many rounds with one start. */
    public synchronized int starts() {
        return starts;
    }

    @Schedule(hour = "*", minute = "*", second = "*/30", persistent = false)
    synchronized void stopWhenIdle() {
        if (process != null && System.nanoTime() - lastUsed > Duration.ofSeconds(settings.workerIdleSeconds()).toNanos()) {
            LOG.info("Model worker idle for " + settings.workerIdleSeconds() + " s: stopping it");
            stop();
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }
}
