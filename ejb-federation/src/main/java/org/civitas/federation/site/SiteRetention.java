package org.civitas.federation.site;

import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.batch.retention.SiteRetentionSteps;
import org.civitas.domain.quality.QualityFinding;
import org.civitas.domain.quality.QualityItem;
import org.civitas.domain.quality.QualityRun;
import org.civitas.federation.common.RetentionRecords;
import org.civitas.federation.protocol.RetentionTerm;
import org.civitas.infrastructure.persistence.QualityRepository;
import org.civitas.infrastructure.persistence.RetentionRepository;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Retention at the sites this server hosts: what each site made for a federation (outbox updates,
 * the worker's checkpoints and state files) goes once the retention of the agreement for that
 * federation's plan runs out, counted from the file's last change; what it made from a dataset
 * (quality findings and measured items, the curated manifest) goes once the longest retention of
 * the agreements naming the dataset runs out, counted from the quality run's end. The terms come
 * from the coordinator over the participant protocol. The quality run's report, which holds
 * aggregates only, stays. The dataset itself is the enterprise's own and is not touched.
 */
@Stateless
@LocalBean
@Local(SiteRetentionSteps.class)
public class SiteRetention implements SiteRetentionSteps {

    private static final Pattern FEDERATION_FILE = Pattern.compile("federation-(\\d+)-round-(\\d+)(.*)\\.safetensors");

    @Inject
    java.time.Clock clock;

    @Inject
    HostedSites hostedSites;

    @Inject
    CoordinatorClient coordinator;

    @Inject
    RetentionRepository retention;

    @Inject
    QualityRepository quality;

    @EJB
    RetentionRecords records;

    @Resource
    SessionContext context;

    /** What this server's sites keep past its retention by {@code asOf}. */
    public List<RetentionRecords.Due> due(Instant asOf) {
        List<RetentionRecords.Due> out = new ArrayList<>();
        for (String code : hostedSites.codes()) {
            SiteIdentity site = hostedSites.identity(code);
            List<RetentionTerm> terms = coordinator.retentionTerms(site);
            Map<Long, RetentionTerm> byFederation = new TreeMap<>();
            Map<String, RetentionTerm> byDataset = new TreeMap<>();
            for (RetentionTerm t : terms) {
                if (t.federation() != null) {
                    byFederation.put(t.federation(), t);
                } else if (t.dataset() != null) {
                    byDataset.put(t.dataset(), t);
                }
            }
            filesDue(site, site.outbox(), byFederation, asOf, out);
            filesDue(site, site.home().resolve("work"), byFederation, asOf, out);
            qualityDue(site, byDataset, asOf, out);
        }
        return out;
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String eraseAtSites(long runId) {
        Instant asOf = records.run(runId).getAsOf();
        SiteRetention self = context.getBusinessObject(SiteRetention.class);
        List<RetentionRecords.Due> due = self.due(asOf);
        int erased = 0;
        long bytes = 0;
        for (RetentionRecords.Due d : due) {
            if (self.erase(runId, d)) {
                erased++;
                bytes += d.sizeBytes();
            }
        }
        return "erased " + erased + " things (" + bytes + " bytes) at sites " + hostedSites.codes() + " as of " + asOf;
    }

    /** Erases one thing and records it, in one transaction; false when it had gone already. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public boolean erase(long runId, RetentionRecords.Due due) {
        if (due.kind().equals("quality-findings")) {
            QualityRun run = retention.qualityRunForUpdate(Long.parseLong(due.ref()));
            if (run == null || run.getErasedAt() != null) {
                return false;
            }
            retention.deleteQualityDetails(run.getId());
            run.erased(clock.instant());
            records.erased(runId, due);
            return true;
        }
        Path file = Path.of(due.ref());
        if (!Files.exists(file)) {
            return false;
        }
        records.erased(runId, due);
        try {
            Files.delete(file);
        } catch (IOException e) {
            // The record goes back with the transaction: nothing is claimed erased that is still there.
            throw new UncheckedIOException("cannot erase " + file, e);
        }
        return true;
    }

    private void filesDue(SiteIdentity site, Path folder, Map<Long, RetentionTerm> terms, Instant asOf, List<RetentionRecords.Due> out) {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.sorted().toList()) {
                Matcher m = FEDERATION_FILE.matcher(file.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(file)) {
                    continue;
                }
                RetentionTerm term = terms.get(Long.parseLong(m.group(1)));
                if (term == null) {
                    continue;
                }
                Instant expires = Files.getLastModifiedTime(file).toInstant().plus(Duration.ofDays(term.retentionDays()));
                if (asOf.isBefore(expires)) {
                    continue;
                }
                String kind = folder.endsWith("outbox") ? "outbox-update" : m.group(3).contains("checkpoint") ? "checkpoint" : "work-state";
                out.add(new RetentionRecords.Due(site.code(), kind, site.home().relativize(file).toString(), sha256(file), Files.size(file),
                        term.agreement(), term.retentionDays(), expires, file.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    private void qualityDue(SiteIdentity site, Map<String, RetentionTerm> terms, Instant asOf, List<RetentionRecords.Due> out) {
        for (QualityRun run : retention.keptQualityRuns(site.code())) {
            RetentionTerm term = terms.get(run.getDatasetName());
            if (term == null) {
                continue;
            }
            Instant expires = run.getFinishedAt().plus(Duration.ofDays(term.retentionDays()));
            if (asOf.isBefore(expires)) {
                continue;
            }
            if (run.getCuratedManifest() != null) {
                Path curated = site.home().resolve(run.getCuratedManifest()).normalize();
                if (curated.startsWith(site.home().normalize()) && Files.isRegularFile(curated)) {
                    try {
                        out.add(new RetentionRecords.Due(site.code(), "curated-manifest", run.getCuratedManifest(), sha256(curated),
                                Files.size(curated), term.agreement(), term.retentionDays(), expires, curated.toString()));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read " + curated, e);
                    }
                }
            }
            // The findings and measured items as rows of text: what their hash is taken over.
            StringBuilder rows = new StringBuilder();
            List<QualityFinding> findings = quality.findings(run.getId());
            for (QualityFinding f : findings) {
                rows.append("finding\t").append(f.getLine()).append('\t').append(f.getItemId()).append('\t').append(f.getCheck()).append('\t')
                        .append(f.getScore()).append('\t').append(f.getReason()).append('\t').append(f.getRelatedId()).append('\n');
            }
            List<QualityItem> items = quality.items(run.getId());
            for (QualityItem i : items) {
                rows.append("item\t").append(i.getLine()).append('\t').append(i.getFeatures() == null ? "" : Base64.getEncoder().encodeToString(i.getFeatures())).append('\n');
            }
            byte[] text = rows.toString().getBytes(StandardCharsets.UTF_8);
            out.add(new RetentionRecords.Due(site.code(), "quality-findings", "quality run " + run.getId() + " of dataset "
                    + run.getDatasetName() + " (" + findings.size() + " findings, " + items.size() + " items)", sha256(text), text.length,
                    term.agreement(), term.retentionDays(), expires, Long.toString(run.getId())));
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        }
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
