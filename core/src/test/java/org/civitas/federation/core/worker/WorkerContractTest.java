package org.civitas.federation.core.worker;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Both ends of the worker contract read what the other writes, and a bad line is refused by name. */
class WorkerContractTest {

    private static WorkerFields resultFields(String line) {
        Map<String, Object> fields = WorkerLines.read(line);
        fields.remove("id");
        fields.remove("event");
        return new WorkerFields(fields, "the answer");
    }

    @Test
    void aTrainRequestIsOneLineTheWorkerReadsBackAsTheSameRequest() {
        WorkerRequest.Train train = new WorkerRequest.Train(null, "d.jsonl", "g.safetensors", "u.safetensors",
                new WorkerRequest.Hyper(3, 0.01, 16, 7L, 0.1), "c.safetensors", null);

        String line = WorkerLines.request("7", train);

        assertThat(line).isEqualTo("{\"id\":\"7\",\"op\":\"train\",\"dataset\":\"d.jsonl\",\"state\":\"g.safetensors\",\"out\":\"u.safetensors\","
                + "\"hyper\":{\"epochs\":3,\"learningRate\":0.01,\"batchSize\":16,\"seed\":7,\"proximalMu\":0.1},\"checkpoint\":\"c.safetensors\"}");
        assertThat(WorkerRequest.parse(WorkerLines.read(line))).isEqualTo(train);
    }

    @Test
    void everyRequestSurvivesTheTrip() {
        List<WorkerRequest<?>> requests = List.of(new WorkerRequest.Evaluate("m.json", "t.jsonl", "s.safetensors"),
                new WorkerRequest.Embed(null, List.of("smoke", "a \"quoted\" text")), new WorkerRequest.Ping(), new WorkerRequest.Shutdown(),
                new WorkerRequest.Predict("m.json", "s.safetensors", List.of(new WorkerRequest.Input("smoke", "/tmp/a.png"),
                        new WorkerRequest.Input(null, "/tmp/b.png"), new WorkerRequest.Input("text only", null),
                        new WorkerRequest.Input("scaled", null, "AAEC"))),
                new WorkerRequest.Train(null, "d", "s", "o", null, null, "h.jsonl"),
                new WorkerRequest.Train("m.json", "d", "s", "o", new WorkerRequest.Hyper(1, 0.1, 2, 3L, 0.0, true), null, null),
                new WorkerRequest.Train("m.json", "d", "s", "o", new WorkerRequest.Hyper(1, 0.1, 2, 3L, 0.0, false, true), null, null));
        for (WorkerRequest<?> request : requests) {
            assertThat(WorkerRequest.parse(WorkerLines.read(WorkerLines.request("1", request)))).isEqualTo(request);
        }
    }

    @Test
    void anInputWithBothAnImageFileAndPixelsIsRefused() {
        String line = "{\"id\": \"1\", \"op\": \"predict\", \"state\": \"s\", \"inputs\": [{\"image\": \"/tmp/a.png\", \"pixels\": \"AAEC\"}]}";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WorkerRequest.parse(WorkerLines.read(line)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("input 0 has both 'image' and 'pixels'");
    }

    @Test
    void resultsSurviveTheTripAndADivergedLossStaysNaN() {
        WorkerResult.Trained trained = new WorkerResult.Trained("u", "ab12", 480,
                new WorkerResult.TrainingMetrics(Double.NaN, 2.5, 0.25, Double.POSITIVE_INFINITY, 0.5, 0.4, 30, 1.5),
                new WorkerResult.Evaluation(60, 1.1, 0.7, 0.6), Map.of("text", 480, "image", 0));

        String line = WorkerLines.result("1", trained);

        assertThat(line).contains("\"trainLoss\":\"NaN\"").contains("\"loss\":\"Infinity\"");
        assertThat(new WorkerRequest.Train(null, "d", "s", "o", null, null, null).result(resultFields(line))).isEqualTo(trained);

        WorkerResult.Evaluated evaluated = new WorkerResult.Evaluated(120, 0.9, 0.75, 0.7, Map.of("flood", 0.8),
                List.of(List.of(50, 10), List.of(20, 40)));
        assertThat(new WorkerRequest.Evaluate(null, "d", "s").result(resultFields(WorkerLines.result("2", evaluated)))).isEqualTo(evaluated);

        WorkerResult.Embedded embedded = new WorkerResult.Embedded(List.of(new float[]{0.25f, -1.5f}, new float[]{3f, 0f}));
        WorkerResult.Embedded back = new WorkerRequest.Embed(null, List.of("a", "b")).result(resultFields(WorkerLines.result("3", embedded)));
        assertThat(back.vectors()).hasSize(2);
        assertThat(back.vectors().get(0)).containsExactly(0.25f, -1.5f);
        assertThat(back.vectors().get(1)).containsExactly(3f, 0f);

        WorkerResult.Predicted predicted = new WorkerResult.Predicted(List.of(new float[]{0.75f, 0.25f}));
        WorkerResult.Predicted again = new WorkerRequest.Predict(null, "s", List.of(new WorkerRequest.Input("a", null)))
                .result(resultFields(WorkerLines.result("4", predicted)));
        assertThat(again.probabilities().get(0)).containsExactly(0.75f, 0.25f);
    }

    @Test
    void badRequestsAreRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> WorkerRequest.parse(WorkerLines.read("{\"id\":\"1\",\"op\":\"fly\"}")))
                .hasMessage("unknown op 'fly' (ops: train, evaluate, predict, embed, load, ping, shutdown)");
        assertThatThrownBy(() -> WorkerRequest.parse(WorkerLines.read("{\"id\":\"1\",\"op\":\"train\",\"dataset\":\"d\"}")))
                .hasMessage("the request needs 'state'");
        assertThatThrownBy(() -> WorkerRequest.parse(WorkerLines.read(
                "{\"id\":\"1\",\"op\":\"train\",\"dataset\":\"d\",\"state\":\"s\",\"out\":\"o\",\"hyper\":{\"epoch\":2}}")))
                .hasMessageStartingWith("unknown field 'epoch' in 'hyper' of the request");
        assertThatThrownBy(() -> WorkerRequest.parse(WorkerLines.read(
                "{\"id\":\"1\",\"op\":\"train\",\"dataset\":\"d\",\"state\":\"s\",\"out\":\"o\",\"hyper\":{\"epochs\":2.5}}")))
                .hasMessage("'epochs' in 'hyper' of the request must be an integer");
        assertThatThrownBy(() -> WorkerRequest.parse(WorkerLines.read("{\"id\":\"1\",\"op\":\"embed\",\"texts\":[1]}")))
                .hasMessage("'texts' must be a list of strings");
        assertThatThrownBy(() -> WorkerLines.read("[1]")).hasMessage("not a JSON object");
    }

    @Test
    void aCancelLineNamesItsTarget() {
        assertThat(WorkerLines.read(WorkerLines.cancel("4"))).containsEntry("op", "cancel").containsEntry("target", "4");
    }
}
