package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The governance portal in a real headless Chromium: every role logs in; a data steward requests
 * an agreement; a user who could approve its own request finds nothing to approve; two compliance
 * officers approve with comments; the administrator starts the federation the agreements cover and
 * watches it complete; an agreement is revoked. Screenshots of the key pages go to
 * {@code target/screenshots}. Runs on the H2 pass only: the portal does not depend on the database.
 */
@ExtendWith(CivitasServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target/screenshots");
    /** A plan of the portal's start form: softmax regression, FedAvg, 20 rounds (long enough to revoke an agreement mid-way). */
    private static final String PLAN = "{\"model\": \"softmax-regression\", \"strategy\": \"fedavg\", \"rounds\": 20}";

    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    void startBrowser() throws IOException {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (Boolean.getBoolean("civitas.it.browser.required")) {
            assertThat(installed).as("chromium and chromium-driver must be installed (apt-get install chromium chromium-driver)").isTrue();
        }
        assumeTrue(installed, "chromium and chromium-driver are not installed");
        assumeTrue("h2".equals(CivitasServer.db()), "browser tests run on the H2 pass only");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(), options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        // A form posted without ajax reloads the page while a condition reads it: Chromium may then answer that the
        // node "does not belong to the document". The condition is read again; a condition that never holds still times out.
        wait.ignoring(org.openqa.selenium.WebDriverException.class);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void everyRoleLogsInAndAnAgreementGoesFromRequestToActiveToRevokedWhileTheFederationRespectsIt() {
        // Every role logs in and sees its name; a wrong password is refused without saying which part was wrong
        for (String user : new String[] {"admin", "consortium-compliance", "auditor", "energy-steward", "energy-compliance", "energy-operator"}) {
            login(user, Api.DEMO_PASSWORD);
            assertThat(text(By.id("currentUser"))).isEqualTo(user);
            screenshot("dashboard-" + user);
            logout();
        }
        login("energy-steward", "not-the-password");
        assertThat(browser.getPageSource()).contains("Wrong user name or password");
        assertThat(browser.findElements(By.id("currentUser"))).isEmpty();

        // The energy site's IT operator sets a training window in the portal, sees it, and removes it again
        login("energy-operator", Api.DEMO_PASSWORD);
        open("/windows/index.xhtml");
        WebElement box = browser.findElement(By.xpath("//div[contains(@class, 'site-windows')][.//*[text()='Site energy']]//textarea"));
        box.clear();
        box.sendKeys("0 0 22 ? * MON-FRI | 28800 | Europe/Berlin");
        browser.findElement(By.xpath("//div[contains(@class, 'site-windows')][.//*[text()='Site energy']]//button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Training windows of energy saved"));
        assertThat(Api.get("/sites/energy/windows").json().path("windows").get(0).path("cron").asText()).isEqualTo("0 0 22 ? * MON-FRI");
        screenshot("training-windows");
        box = browser.findElement(By.xpath("//div[contains(@class, 'site-windows')][.//*[text()='Site energy']]//textarea"));
        box.clear();
        browser.findElement(By.xpath("//div[contains(@class, 'site-windows')][.//*[text()='Site energy']]//button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Training windows of energy saved"));
        assertThat(Api.get("/sites/energy/windows").json().path("windows")).isEmpty();
        logout();

        // A data steward looks at the quality of the site's data, then requests an agreement for the plan, the report attached
        java.time.Instant reported = java.time.Instant.now().plus(Duration.ofMinutes(2));
        while (!Api.get("/datasets/quality").text().contains("\"site\":\"energy\"")) {
            assertThat(java.time.Instant.now()).as("the demo reports the energy site's data quality").isBefore(reported);
            CivitasServer.sleep(500);
        }
        login("energy-steward", Api.DEMO_PASSWORD);
        open("/quality/index.xhtml");
        assertThat(browser.getPageSource()).contains("energy / city-safety:").contains("class=\"thumbnail\"");
        // The thumbnails load by URL in the portal's session: the first one is a real, decoded image.
        wait.until(b -> ((org.openqa.selenium.JavascriptExecutor) b).executeScript(
                "var i = document.querySelector('img.thumbnail'); return i != null && i.complete && i.naturalWidth > 0;").equals(Boolean.TRUE));
        assertThat(browser.findElement(By.cssSelector("img.thumbnail")).getAttribute("src")).contains("/quality/item-image?site=energy");
        screenshot("data-quality");
        open("/agreements/index.xhtml");
        WebElement plan = browser.findElement(By.id("request:plan"));
        plan.clear();
        plan.sendKeys(PLAN);
        WebElement datasets = browser.findElement(By.id("request:datasets"));
        datasets.clear();
        datasets.sendKeys("incident-features, city-safety");
        browser.findElement(By.id("request:purpose")).sendKeys("Browser check: a shared incident classifier");
        browser.findElement(By.id("request:task")).sendKeys("incident classification");
        browser.findElement(By.id("request:submit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "requested for plan"));
        screenshot("agreement-requested");
        long agreement = latestAgreementOf("meridian-energy");
        logout();

        // Someone with both hats is offered the others' requests to decide, never its own
        Api.postJson("/users", "{\"username\": \"ui-both-hats\", \"password\": \"" + Api.DEMO_PASSWORD + "\","
                + " \"enterprise\": \"meridian-energy\", \"roles\": [\"DATA_STEWARD\", \"COMPLIANCE_OFFICER\"]}");
        Api.postJsonAs("ui-both-hats", "/agreements", "{\"plan\": {\"rounds\": 9}, \"datasets\": [\"incident-features\"],"
                + " \"modalities\": [\"features\"], \"purpose\": \"own request\", \"task\": \"classification\"}");
        login("ui-both-hats", Api.DEMO_PASSWORD);
        open("/agreements/index.xhtml");
        assertThat(text(By.id("reviewQueue"))).contains("requested by energy-steward").doesNotContain("requested by ui-both-hats");
        assertThat(text(By.id("reviewQueue"))).contains("Data quality: report").contains("on energy/city-safety");
        screenshot("review-queue");
        logout();

        // The enterprise's and the consortium's compliance officers approve, each with a comment
        decide("energy-compliance", agreement, "Datasets and purpose match our register.", "is now SUBMITTED", "agreement-half-approved");
        decide("consortium-compliance", agreement, "Consortium approves.", "is now ACTIVE", "agreement-active");
        assertThat(Api.get("/agreements/" + agreement).json().path("status").asText()).isEqualTo("ACTIVE");

        // The other enterprises agree too; the administrator starts the federation from the portal
        JsonNode preview = Api.postJson("/plans/preview", PLAN).json();
        Api.agree(PLAN, preview, "harbourview-residential");
        long urban = Api.agree(PLAN, preview, "civic-operations");
        login("admin", Api.DEMO_PASSWORD);
        // The administrator registers a task of the consortium's own in the portal, one label per line
        open("/tasks/index.xhtml");
        assertThat(text(By.id("tasks"))).contains("city-safety").contains("smoke_fire");
        assertThat(text(By.id("publicDatasets"))).as("the public data the demo registers for pretraining image towers")
                .contains("city-safety-public").containsPattern("\\d+ samples, \\d+ labels");
        browser.findElement(By.id("task:name")).sendKeys("browser-triage");
        browser.findElement(By.id("task:description")).sendKeys("Whether a report needs a crew today");
        browser.findElement(By.id("task:labels")).sendKeys("urgent\nroutine\nno action");
        browser.findElement(By.id("task:submit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Task browser-triage v1 registered with 3 labels"));
        assertThat(text(By.id("tasks"))).contains("browser-triage");
        assertThat(Api.get("/tasks/browser-triage").json().path("labels").toString()).isEqualTo("[\"urgent\",\"routine\",\"no action\"]");
        screenshot("tasks");
        open("/federations/index.xhtml");
        WebElement rounds = browser.findElement(By.id("federationsForm:rounds_input"));
        rounds.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), "20");
        int before = Api.get("/federations").json().size();
        browser.findElement(By.id("federationsForm:startWithRule")).click();
        try {
            wait.until(d -> Api.get("/federations").json().size() > before);
        } finally {
            screenshot("federation-started");
        }
        long federation = Api.get("/federations").json().get(0).path("id").asLong();
        assertThat(Api.get("/federations/" + federation).json().path("planSha256").asText()).isEqualTo(preview.path("planSha256").asText());

        // Revoking civic-operations' agreement takes the urban site out of the next round
        logout();
        login("urban-compliance", Api.DEMO_PASSWORD);
        open("/agreements/index.xhtml");
        WebElement row = browser.findElement(By.xpath("//a[text()='" + urban + "']/ancestor::tr"));
        row.findElement(By.cssSelector("input[id$=':reason']")).sendKeys("Retention terms changed");
        row.findElement(By.cssSelector("button[id$=':revoke']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "revoked"));
        screenshot("agreement-revoked");
        JsonNode f = Api.awaitFinished(federation, Duration.ofMinutes(2));
        assertThat(f.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(f.path("rounds").get(19).path("withheld").path("urban").asText()).contains("REVOKED");
        logout();

        login("auditor", Api.DEMO_PASSWORD);
        // The portal's own address leads to the federations page
        open("/");
        wait.until(ExpectedConditions.urlContains("/federations/index.xhtml"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("status-" + federation)));
        screenshot("dashboard-after-federation");
        open("/audit/index.xhtml?prefix=agreement.");
        assertThat(browser.getPageSource()).contains("agreement.revoked").contains("agreement.approved");
        screenshot("audit");
        open("/registry/index.xhtml?federation=" + federation);
        assertThat(text(By.id("lineage"))).contains(preview.path("planSha256").asText()).contains(agreement + " v1")
                .contains("energy-compliance (enterprise)").contains("community, energy");
        screenshot("registry");
        open("/agreements/history.xhtml?id=" + agreement);
        assertThat(text(By.id("history"))).contains("Version 1 (agreement " + agreement + ")").contains("requested by energy-steward");
        open("/members/index.xhtml");
        assertThat(browser.getPageSource()).contains("Meridian Energy (meridian-energy)").contains("energy-steward (DATA_STEWARD)");
        screenshot("members");
        open("/privacy/index.xhtml");
        screenshot("privacy");
        open("/credits/index.xhtml");
        screenshot("credits");
        logout();
    }

    /** The registry draws a version's evaluation (each label's precision, recall and F1, the confusion matrix) and releases it, four eyes. */
    @Test
    void theRegistryShowsAnEvaluatedVersionPerLabelAndReleasesItWithFourEyes() throws IOException {
        Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Registry evaluation\", \"rounds\": 1}"));
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long id = started.json().path("id").asLong();
        assertThat(Api.awaitFinished(id, Duration.ofMinutes(5)).path("status").asText()).isEqualTo("COMPLETED");
        CivitasServer.await(Duration.ofMinutes(2), "model version 1 is evaluated", () ->
                Api.get("/federations/" + id).json().path("models").get(1).path("evaluation").path("confusion").isObject());

        login("auditor", Api.DEMO_PASSWORD);
        open("/registry/index.xhtml?federation=" + id);
        assertThat(text(By.id("evaluation"))).contains("Evaluation of version 1").contains("smoke_fire");
        assertThat(browser.findElements(By.cssSelector("#evaluation canvas"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("table.confusion tbody tr"))).hasSize(12);
        // Which enterprises' data each version contains: none in the initial state, the three members' after round 1
        List<String> contributors = browser.findElements(By.cssSelector(".contributors")).stream().map(WebElement::getText).toList();
        assertThat(contributors).containsExactly("no enterprise (the initial state)",
                "civic-operations, harbourview-residential, meridian-energy");
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("document.getElementById('evaluation').scrollIntoView();");
        screenshot("registry-evaluation");
        logout();

        // The administrator proposes version 1 for release; the consortium's compliance officer approves it
        login("admin", Api.DEMO_PASSWORD);
        open("/registry/index.xhtml?federation=" + id);
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("releases:version_input"))).selectByValue("1");
        browser.findElement(By.id("releases:note")).sendKeys("Fit for the browser pilot");
        browser.findElement(By.id("releases:propose")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "proposed for version 1"));
        logout();
        login("consortium-compliance", Api.DEMO_PASSWORD);
        open("/registry/index.xhtml?federation=" + id);
        browser.findElement(By.cssSelector("input[id$=':comment']")).sendKeys("Approved for the pilot");
        browser.findElement(By.cssSelector("button[id$=':approve']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "is now RELEASED"));
        assertThat(text(By.id("releases:releaseTable"))).contains("RELEASED").contains("consortium-compliance: Approved for the pilot");
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("document.getElementById('releases:releaseTable').scrollIntoView();");
        screenshot("registry-release");
        logout();

        // The energy site's IT operator tries the released version in the playground: a report and a photo.
        String version = Api.get("/federations/" + id).json().path("models").get(1).path("sha256").asText();
        login("energy-operator", Api.DEMO_PASSWORD);
        open("/playground/index.xhtml");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("playground:version"))).selectByValue(version);
        browser.findElement(By.id("playground:report")).sendKeys("Thick smoke is pouring out of the transformer housing at the substation.");
        browser.findElement(By.id("playground:image")).sendKeys(photo().toString());
        browser.findElement(By.id("playground:predict")).click();
        assertThat(text(By.id("answeredBy"))).contains("federation " + id + ", version 1").contains(version.substring(0, 12)).contains("ms");
        assertThat(browser.findElements(By.cssSelector("#top li"))).hasSize(3);
        assertThat(browser.findElements(By.cssSelector("#answer canvas"))).isNotEmpty();
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("document.getElementById('answer').scrollIntoView();");
        screenshot("playground");

        // Then scores the first lines of the site's manifest with it, and watches the run finish on the page.
        java.nio.file.Path dataset = CivitasServer.dataDir().resolve("sites/energy/datasets/city-safety");
        Files.write(dataset.resolve("browser-scoring.jsonl"), Files.readAllLines(dataset.resolve("train.jsonl")).subList(0, 40));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("scoring:scoringVersion"))).selectByValue(version);
        WebElement manifest = browser.findElement(By.id("scoring:scoringManifest"));
        manifest.clear();
        manifest.sendKeys("datasets/city-safety/browser-scoring.jsonl");
        browser.findElement(By.id("scoring:score")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "40 lines to score"));
        // The newest run comes first; other tests' runs on this server are below it.
        new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofMinutes(2))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).ignoring(IndexOutOfBoundsException.class).until(d ->
                        d.findElements(By.cssSelector(".scoring-run")).get(0).getText().contains("COMPLETED"));
        String run = browser.findElements(By.cssSelector(".scoring-run")).get(0).getText();
        assertThat(run).contains("browser-scoring.jsonl");
        assertThat(run).contains("40 of 40 lines scored").contains("browser-scoring.scored-").contains("40 labelled lines: accuracy");
        assertThat(browser.findElements(By.cssSelector(".scoring-run")).get(0).findElements(By.tagName("canvas"))).isNotEmpty();
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("document.getElementById('scoring').scrollIntoView();");
        screenshot("batch-scoring");

        // The site's own head on that version, once trained, is offered beside it and answers when chosen.
        Api.Answer requested = Api.postJsonAs("energy-steward", "/sites/energy/personal-heads", "{\"version\": \"" + version
                + "\", \"dataset\": \"datasets/city-safety/train.jsonl\", \"heldout\": \"datasets/city-safety/heldout.jsonl\", \"epochs\": 3}");
        assertThat(requested.status()).as(requested.text()).isEqualTo(202);
        long head = requested.json().path("id").asLong();
        String[] status = {""};
        CivitasServer.await(Duration.ofMinutes(3), "personal head " + head + " is trained", () -> {
            status[0] = Api.getAs("energy-steward", "/sites/energy/personal-heads/" + head).json().path("status").asText();
            return !"STARTED".equals(status[0]);
        });
        assertThat(status[0]).isEqualTo("COMPLETED");
        open("/playground/index.xhtml");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("playground:version"))).selectByValue(version + "#head-" + head);
        browser.findElement(By.id("playground:report")).sendKeys("Water is pouring through the ceiling of the basement corridor.");
        browser.findElement(By.id("playground:predict")).click();
        assertThat(text(By.id("answeredBy"))).contains("with personal head " + head);
        logout();
    }

    /** A small photo of an orange-brown scene, as a user would choose one. */
    private static Path photo() {
        try {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(64, 48, java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 64; x++) {
                    image.setRGB(x, y, y < 24 ? 0x8a4a2a : 0x404040);
                }
            }
            Path file = Files.createTempFile("playground", ".png");
            javax.imageio.ImageIO.write(image, "png", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A compliance officer sees which versions hold the enterprise's data and withdraws it; the consortium's officer approves. */
    @Test
    void aComplianceOfficerSeesWhichModelsHoldTheirDataAndWithdrawsIt() {
        String plan = "{\"name\": \"Browser withdrawal\", \"rounds\": 2}";
        JsonNode preview = Api.postJson("/plans/preview", plan).json();
        Api.agree(plan, preview, "meridian-energy");
        Api.agree(plan, preview, "harbourview-residential");
        long urban = Api.agree(plan, preview, "civic-operations");
        Api.Answer started = Api.postJson("/federations", plan);
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long federation = started.json().path("id").asLong();
        assertThat(Api.awaitFinished(federation, Duration.ofMinutes(2)).path("status").asText()).isEqualTo("COMPLETED");

        login("urban-compliance", Api.DEMO_PASSWORD);
        open("/agreements/index.xhtml");
        browser.findElement(By.xpath("//a[text()='" + urban + "']/ancestor::tr")).findElement(By.cssSelector("a[id$=':contributions']")).click();
        assertThat(text(By.id("contributions"))).contains("civic-operations").contains("Agreement " + urban);
        assertThat(text(By.cssSelector("[id$='federations'] tbody"))).contains(federation + " COMPLETED [1, 2] 0 2 [community, energy]");
        assertThat(text(By.id("cost"))).isEqualTo("Retraining costs 2 rounds (4 site-rounds of local training).");
        browser.findElement(By.id("withdraw:reason")).sendKeys("The agency withdraws its consent");
        browser.findElement(By.id("withdraw:request")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "asked for; the agreement is revoked"));
        long withdrawal = Api.get("/agreements/" + urban).json().path("withdrawal").asLong();
        assertThat(text(By.id("messages"))).contains("Withdrawal " + withdrawal).contains("consortium's compliance officer");
        assertThat(browser.findElements(By.id("withdraw:request"))).as("asked for once").isEmpty();
        screenshot("withdrawal-requested");
        logout();

        login("consortium-compliance", Api.DEMO_PASSWORD);
        open("/agreements/index.xhtml");
        WebElement form = browser.findElement(By.xpath("//div[contains(@class, 'decision-form')][.//strong[text()='Withdrawal " + withdrawal + "']]"));
        form.findElement(By.cssSelector("textarea[id$=':comment']")).sendKeys("Retrain without the agency");
        form.findElement(By.cssSelector("button[id$=':approve']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Withdrawal " + withdrawal + " is now APPROVED"));
        long rebuild = Api.get("/withdrawals/" + withdrawal).json().path("rebuilds").get(0).asLong();
        screenshot("withdrawal-approved");
        open("/registry/index.xhtml?federation=" + federation);
        assertThat(text(By.id("line"))).contains("Superseded").contains("federation " + rebuild);
        assertThat(browser.findElements(By.cssSelector(".withdrawn"))).hasSize(2)
                .allSatisfy(e -> assertThat(e.getText()).contains("withdrawal " + withdrawal));
        open("/registry/index.xhtml?federation=" + rebuild);
        assertThat(text(By.id("line"))).contains("Retrains federation " + federation + " from its version 0 without civic-operations");
        screenshot("withdrawal-registry");
        // The officer runs the retention job from the audit page; the run shows there with its state.
        open("/audit/index.xhtml?prefix=retention.");
        browser.findElement(By.id("retention:run")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Retention run"));
        wait.until(b -> {
            open("/audit/index.xhtml?prefix=retention.");
            return b.findElement(By.id("retentionRuns")).getText().contains("COMPLETED");
        });
        assertThat(text(By.id("retentionRuns"))).contains("consortium-compliance").doesNotContain("STARTED");
        assertThat(text(By.id("entries"))).contains("retention.completed");
        screenshot("retention-runs");
        logout();
        assertThat(Api.awaitFinished(rebuild, Duration.ofMinutes(2)).path("status").asText()).isEqualTo("COMPLETED");
    }

    private void decide(String officer, long agreement, String comment, String expected, String screenshot) {
        login(officer, Api.DEMO_PASSWORD);
        open("/agreements/index.xhtml");
        WebElement form = browser.findElement(By.xpath("//div[contains(@class, 'decision-form')][.//strong[starts-with(text(), 'Agreement "
                + agreement + " ')]]"));
        form.findElement(By.cssSelector("textarea[id$=':comment']")).sendKeys(comment);
        form.findElement(By.cssSelector("button[id$=':approve']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), expected));
        screenshot(screenshot);
        logout();
    }

    private long latestAgreementOf(String enterprise) {
        for (JsonNode a : Api.get("/agreements").json()) {
            if (a.path("enterprise").asText().equals(enterprise)) {
                return a.path("id").asLong();
            }
        }
        throw new AssertionError("no agreement of " + enterprise);
    }

    private void login(String user, String password) {
        open("/login.xhtml");
        browser.findElement(By.id("login:username")).sendKeys(user);
        browser.findElement(By.id("login:password")).sendKeys(password);
        browser.findElement(By.id("login:submit")).click();
        wait.until(d -> d.getCurrentUrl().contains("/federations/index.xhtml") || d.getPageSource().contains("Wrong user name"));
    }

    private void logout() {
        browser.findElement(By.id("session:logout")).click();
        wait.until(ExpectedConditions.urlContains("/login.xhtml"));
    }

    private void open(String page) {
        browser.get(CivitasServer.BASE + page);
    }

    private String text(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by)).getText();
    }

    private void screenshot(String name) {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
