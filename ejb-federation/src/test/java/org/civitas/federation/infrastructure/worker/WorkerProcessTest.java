package org.civitas.federation.infrastructure.worker;

import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.core.worker.WorkerResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client side of the worker contract against small shell scripts standing in for a worker
 * (any program that speaks the lines may be one), so crashes and bad output can be staged.
 */
class WorkerProcessTest {

    @TempDir
    Path dir;

    private static final WorkerRequest.Train TRAIN = new WorkerRequest.Train(null, "data.jsonl", "global.safetensors",
            "update.safetensors", new WorkerRequest.Hyper(2, null, null, null, null), null, null);
    private static final WorkerRequest.Ping PING = new WorkerRequest.Ping();

    private WorkerProcess start(String script) {
        return WorkerProcess.start(List.of("bash", "-c", script), dir.resolve("worker.log"), Map.of());
    }

    @Test
    void passesProgressThenReturnsTheResultOfItsOwnRequest() {
        String echoWorker = """
                echo '{"event":"ready","engine":"script"}'
                while read -r line; do
                  id=$(echo "$line" | sed 's/.*"id":"\\([^"]*\\)".*/\\1/')
                  case "$line" in *shutdown*|*ping*) echo "{\\"id\\":\\"$id\\",\\"event\\":\\"result\\"}"; continue;; esac
                  case "$line" in *'"epochs":2'*) ;; *) echo "{\\"id\\":\\"$id\\",\\"event\\":\\"error\\",\\"message\\":\\"no hyper\\"}"; continue;; esac
                  echo "{\\"id\\":\\"other\\",\\"event\\":\\"progress\\",\\"step\\":9,\\"steps\\":9,\\"loss\\":9}"
                  echo "{\\"id\\":\\"$id\\",\\"event\\":\\"progress\\",\\"step\\":1,\\"steps\\":2,\\"loss\\":0.5}"
                  echo "{\\"id\\":\\"$id\\",\\"event\\":\\"result\\",\\"out\\":\\"u\\",\\"sha256\\":\\"ab\\",\\"samples\\":42,$METRICS}"
                done
                """;
        String metrics = "\"metrics\":{\"trainLoss\":1.5,\"globalLoss\":2.5,\"globalAccuracy\":0.25,"
                + "\"loss\":1.25,\"accuracy\":0.5,\"macroF1\":0.4,\"steps\":8,\"seconds\":\"NaN\"}";
        List<String> seen = new ArrayList<>();
        try (WorkerProcess worker = start("METRICS='" + metrics + "'\n" + echoWorker)) {
            assertThat(worker.readyLine()).containsEntry("engine", "script");

            WorkerResult.Trained result = worker.request(TRAIN, (step, steps, loss) -> seen.add(step + "/" + steps + " " + loss));
            WorkerResult.Done second = worker.request(PING, (a, b, c) -> { });

            assertThat(result.samples()).isEqualTo(42);
            assertThat(result.out()).isEqualTo("u");
            assertThat(result.metrics().trainLoss()).isEqualTo(1.5);
            assertThat(result.metrics().steps()).isEqualTo(8);
            assertThat(result.metrics().seconds()).isNaN();
            assertThat(result.heldout()).isNull();
            assertThat(second).isNotNull();
            assertThat(seen).containsExactly("1/2 0.5");
        }
    }

    @Test
    void aCancelledRequestAnswersAnErrorAndTheWorkerServesTheNextOne() throws Exception {
        // A worker that trains until it reads a cancel line for its request, then answers the next request too.
        String trainer = """
                echo '{"event":"ready","engine":"script"}'
                read -r line
                echo '{"id":"1","event":"progress","step":1,"steps":100,"loss":1.0}'
                read -r cancel
                case "$cancel" in *'"op":"cancel"'*'"target":"1"'*) echo '{"id":"1","event":"error","message":"cancelled at step 1 of 100"}';;
                  *) echo '{"id":"1","event":"result"}';; esac
                read -r line; echo '{"id":"2","event":"result","warm":true}'
                while read -r line; do :; done
                """;
        try (WorkerProcess worker = start(trainer)) {
            java.util.concurrent.CountDownLatch training = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CompletableFuture<Throwable> first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    worker.request(TRAIN, (step, steps, loss) -> training.countDown());
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            });
            assertThat(training.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            assertThat(worker.cancelCurrent()).isTrue();

            assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isInstanceOf(WorkerProcess.WorkerRequestException.class).hasMessageContaining("cancelled at step 1");
            assertThat(worker.request(PING, (a, b, c) -> { })).isInstanceOf(WorkerResult.Done.class);
            assertThat(worker.isAlive()).isTrue();
            assertThat(worker.cancelCurrent()).as("nothing runs now").isFalse();
        }
    }

    @Test
    void aDivergedLossInAProgressLineIsReportedAsNaNNotAFailure() {
        // JSON has no NaN: the worker's JSON writer sends a diverged loss as the string "NaN" or "Infinity".
        String worker = """
                echo '{"event":"ready","engine":"script"}'
                while read -r line; do
                  id=$(echo "$line" | sed 's/.*"id":"\\([^"]*\\)".*/\\1/')
                  echo "{\\"id\\":\\"$id\\",\\"event\\":\\"progress\\",\\"step\\":1,\\"steps\\":2,\\"loss\\":\\"NaN\\"}"
                  echo "{\\"id\\":\\"$id\\",\\"event\\":\\"progress\\",\\"step\\":2,\\"steps\\":2,\\"loss\\":\\"Infinity\\"}"
                  echo "{\\"id\\":\\"$id\\",\\"event\\":\\"result\\"}"
                done
                """;
        List<Double> losses = new ArrayList<>();
        try (WorkerProcess process = start(worker)) {
            assertThat(process.request(PING, (step, steps, loss) -> losses.add(loss))).isInstanceOf(WorkerResult.Done.class);
            assertThat(losses).containsExactly(Double.NaN, Double.POSITIVE_INFINITY);
        }
    }

    @Test
    void anErrorLineFailsTheRequestButNotTheWorker() {
        String failing = """
                echo '{"event":"ready"}'
                read -r line; echo '{"id":"1","event":"error","message":"dataset: cannot read x"}'
                read -r line; echo '{"id":"2","event":"result"}'
                """;
        try (WorkerProcess worker = start(failing)) {
            assertThatThrownBy(() -> worker.request(TRAIN, (a, b, c) -> { }))
                    .isInstanceOf(WorkerProcess.WorkerRequestException.class).hasMessage("dataset: cannot read x");
            assertThat(worker.request(PING, (a, b, c) -> { })).isInstanceOf(WorkerResult.Done.class);
        }
    }

    @Test
    void aWorkerThatDiesMidRequestIsReportedWithItsExitCode() {
        try (WorkerProcess worker = start("echo '{\"event\":\"ready\"}'; read -r line; echo 'Segmentation fault' >&2; exit 139")) {
            assertThatThrownBy(() -> worker.request(TRAIN, (a, b, c) -> { }))
                    .isInstanceOf(WorkerProcess.WorkerCrashedException.class)
                    .hasMessage("the model worker exited with code 139");
            assertThat(worker.isAlive()).isFalse();
        }
        assertThat(dir.resolve("worker.log")).content().contains("Segmentation fault");
    }

    @Test
    void aProgramThatIsNotAWorkerIsRefusedAtStart() {
        assertThatThrownBy(() -> start("echo hello"))
                .isInstanceOf(WorkerProcess.WorkerCrashedException.class)
                .hasMessage("the model worker wrote a line that is not a JSON object: hello");
        assertThatThrownBy(() -> WorkerProcess.start(List.of(dir.resolve("missing").toString()), dir.resolve("w.log"), Map.of()))
                .hasMessageStartingWith("cannot start the model worker");
    }

    @Test
    void aResultThatDoesNotFitItsRequestIsAContractBreach() {
        String worker = """
                echo '{"event":"ready"}'
                read -r line; echo '{"id":"1","event":"result","samples":"many"}'
                """;
        try (WorkerProcess process = start(worker)) {
            assertThatThrownBy(() -> process.request(TRAIN, (a, b, c) -> { }))
                    .isInstanceOf(WorkerProcess.WorkerCrashedException.class)
                    .hasMessageContaining("does not fit the contract").hasMessageContaining("needs 'out'");
        }
    }
}
