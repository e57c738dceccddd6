package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo plan end to end on a real server: three sites train in local-finetune jobs, upload
 * over the participant protocol, and the coordinator aggregates round after round.
 */
@ExtendWith(CivitasServer.class)
class FederationLifecycleIT {

    @Test
    void demoPlanRunsThreeSitesThroughEveryRoundWithFallingLoss() {
        // Execute: an empty body starts the demo plan
        Api.Answer started = Api.startFederation("");
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long id = started.json().path("id").asLong();
        JsonNode f = Api.awaitFinished(id, Duration.ofMinutes(3));

        // Assert: completed, every planned round aggregated from all three sites
        assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("COMPLETED");
        int planned = f.path("roundsPlanned").asInt();
        assertThat(planned).isGreaterThanOrEqualTo(3);
        JsonNode rounds = f.path("rounds");
        assertThat(rounds.size()).isEqualTo(planned);
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < rounds.size(); i++) {
            JsonNode r = rounds.get(i);
            assertThat(r.path("number").asInt()).isEqualTo(i + 1);
            assertThat(r.path("status").asText()).isEqualTo("AGGREGATED");
            assertThat(r.path("updates").asInt()).isEqualTo(3);
            Set<String> sites = new HashSet<>();
            for (JsonNode receipt : r.path("receipts")) {
                sites.add(receipt.path("site").asText());
                assertThat(receipt.path("sampleCount").asLong()).isPositive();
                assertThat(receipt.path("sha256").asText()).hasSize(64);
            }
            assertThat(sites).containsExactlyInAnyOrder("energy", "community", "urban");
            losses.add(r.path("loss").asDouble());
        }
        for (int i = 1; i < losses.size(); i++) {
            assertThat(losses.get(i)).as("loss of round %d below round %d: %s", i + 1, i, losses).isLessThan(losses.get(i - 1));
        }

        // Assert: the registry holds versions 0..n, each the child of the one before
        JsonNode models = f.path("models");
        assertThat(models.size()).isEqualTo(planned + 1);
        for (int v = 1; v <= planned; v++) {
            assertThat(models.get(v).path("version").asInt()).isEqualTo(v);
            assertThat(models.get(v).path("parentVersion").asInt()).isEqualTo(v - 1);
            assertThat(models.get(v).path("round").asInt()).isEqualTo(v);
            assertThat(models.get(v).path("sampleCount").asLong()).isEqualTo(1800);
        }
        Api.Answer model = Api.get("/federations/" + id + "/models/" + planned);
        assertThat(model.status()).isEqualTo(200);
        NamedTensors state = SafeTensors.read(model.body()).tensors();
        assertThat(state.names()).containsExactly("linear.weight", "linear.bias");
        assertThat(models.get(planned).path("sha256").asText())
                .isEqualTo(org.civitas.federation.infrastructure.BlobStore.sha256(model.body()));
    }

    @Test
    void everyAggregatedRoundIsValuedPerSiteAfterwards() {
        long id = Api.startFederation("{\"rounds\": 3, \"name\": \"Valuation check\"}").json().path("id").asLong();
        Api.awaitFinished(id, Duration.ofMinutes(2));

        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        JsonNode f;
        while (true) {
            f = Api.get("/federations/" + id).json();
            boolean all = true;
            for (JsonNode r : f.path("rounds")) {
                all &= r.path("contributions").size() == 3;
            }
            if (all) {
                break;
            }
            assertThat(System.nanoTime()).as("contributions of every round: " + f.path("rounds")).isLessThan(end);
            CivitasServer.sleep(250);
        }
        // Shapley values are efficient: per round they add up to the utility gain of the full update, positive in round 1
        JsonNode first = f.path("rounds").get(0).path("contributions");
        double sum = first.path("energy").asDouble() + first.path("community").asDouble() + first.path("urban").asDouble();
        assertThat(sum).isPositive();
        assertThat(List.of("energy", "community", "urban")).allSatisfy(site ->
                assertThat(Double.isFinite(first.path(site).asDouble())).isTrue());
    }

    @Test
    void listsFederationsAndShowsThemInThePortal() {
        long id = Api.startFederation("{\"rounds\": 3, \"name\": \"Portal check\"}").json().path("id").asLong();
        Api.awaitFinished(id, Duration.ofMinutes(2));

        JsonNode list = Api.get("/federations").json();
        assertThat(list.findValuesAsText("plan")).contains("Portal check");

        String page = Api.getAbsolute(CivitasServer.BASE + "/federations/index.xhtml").text();
        assertThat(page).contains("Federation " + id + " · Portal check").contains("status-" + id + "\" class=\"status-COMPLETED");
    }

    @Test
    void refusesInvalidPlansWithAMessageNamingTheProblem() {
        Api.Answer zeroRounds = Api.postJson("/federations", "{\"rounds\": 0}");
        assertThat(zeroRounds.status()).isEqualTo(400);
        assertThat(zeroRounds.json().path("error").asText()).contains("rounds must be in [1, 1000], was 0");

        Api.Answer unknownSite = Api.postJson("/federations", "{\"sites\": [\"energy\", \"atlantis\"]}");
        assertThat(unknownSite.status()).isEqualTo(400);
        assertThat(unknownSite.json().path("error").asText()).contains("unknown sites [atlantis]");

        Api.Answer notJson = Api.postJson("/federations", "{rounds: three");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().path("error").asText()).contains("the request body is not valid JSON");

        Api.Answer unknown = Api.get("/federations/987654");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).contains("federation 987654 does not exist");
    }
}
