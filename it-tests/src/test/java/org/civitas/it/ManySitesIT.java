package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plan of a consortium of a hundred and twenty sites: it pins each site's dataset by name and
 * hash, so its JSON is over twice the 8000 characters a plan once had room for. It is agreed to,
 * started and stopped, with the whole plan kept by the agreement and the federation.
 */
@ExtendWith(CivitasServer.class)
class ManySitesIT {

    private static final int SITES = 120;

    @Test
    void aPlanOfAHundredAndTwentySitesIsAgreedToAndStartedWhole() throws Exception {
        // Prepare: a task, a model, and each site's dataset of it
        String task = "many-sites-" + CivitasServer.db();
        Consortium.created(Api.postJson("/tasks", "{\"name\": \"" + task + "\", \"description\": \"Two kinds of incident\","
                + " \"labels\": [\"minor\", \"major\"], \"modalities\": [\"image\"], \"primaryMetric\": \"accuracy\"}"));
        String manifest = Consortium.created(Api.postJson("/model-manifests", "{\"name\": \"many-sites-cnn\", \"image\": {\"kind\":"
                + " \"cnn\", \"size\": 16, \"channels\": [4]}, \"fusion\": {\"hidden\": 8, \"seed\": 3}, \"adapter\": {\"rank\": 2,"
                + " \"alpha\": 4, \"targets\": [\"fusion\"]}}")).path("sha256").asText();
        ObjectNode plan = Api.JSON.createObjectNode().put("name", "A hundred and twenty sites").put("task", task)
                .put("modelManifest", manifest).put("rounds", 1).put("roundTimeoutSeconds", 600);
        ObjectNode datasets = plan.putObject("datasets");
        List<String> sites = new ArrayList<>();
        for (int i = 0; i < SITES; i++) {
            String code = String.format("many-%s-site-%03d", CivitasServer.db(), i);
            JsonNode site = Consortium.created(Api.postJson("/sites", "{\"code\": \"" + code + "\", \"enterprise\": \"meridian-energy\"}"));
            Api.SiteCredentials credentials = new Api.SiteCredentials(code, site.path("token").asText());
            String sha = String.format("%064x", i + 1L);
            Api.Answer registered = Api.postJson("/participant/datasets", "{\"name\": \"incidents\", \"samples\": 100, \"images\": 100,"
                    + " \"texts\": 0, \"labeled\": 100, \"labelHistogram\": {\"minor\": 60, \"major\": 40}, \"skippedLines\": 0,"
                    + " \"contentSha256\": \"" + sha + "\", \"task\": \"" + task + "\", \"taskVersion\": 1}", credentials);
            assertThat(registered.status()).as(registered.text()).isEqualTo(201);
            datasets.putObject(code).put("name", "incidents").put("sha256", sha);
            sites.add(code);
        }
        plan.putPOJO("sites", sites);
        String planJson = Api.JSON.writeValueAsString(plan);
        JsonNode preview = Api.postJson("/plans/preview", planJson).json();
        assertThat(preview.path("canonicalJson").asText().length()).as("longer than the 8000 characters plans once had")
                .isGreaterThan(2 * 8000);

        // Execute: the enterprise agrees to exactly this plan, and the administrator starts it
        Api.agree(planJson, preview, "meridian-energy");
        Api.Answer started = Api.postJson("/federations", planJson);

        // Assert: started with every site, under the whole plan
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        JsonNode federation = started.json();
        assertThat(federation.path("sites")).hasSize(SITES);
        assertThat(federation.path("planSha256").asText()).isEqualTo(preview.path("planSha256").asText());
        assertThat(federation.path("plan").asText()).isEqualTo("A hundred and twenty sites");

        Api.Answer stopped = Api.postJson("/federations/" + federation.path("id").asLong() + "/stop",
                "{\"reason\": \"a plan of many sites, started to show it is kept whole\"}");
        assertThat(stopped.status()).as(stopped.text()).isEqualTo(200);
    }
}
