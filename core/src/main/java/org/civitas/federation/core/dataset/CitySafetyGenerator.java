package org.civitas.federation.core.dataset;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The synthetic city-safety data set: for each enterprise domain (energy, community, urban) a
 * site folder with {@code train.jsonl} (with injected defects), {@code heldout.jsonl} (clean) and
 * {@code ground_truth.jsonl} (every injected defect, beside the data, never in the manifest); a
 * global clean {@code test/test.jsonl} over all domains; and a {@code public/train.jsonl} in a
 * generic style, as the public data a base model would have seen. Deterministic by seed: the same
 * configuration writes byte-identical files.
 *
 * <p>Run: {@code java ... CitySafetyGenerator --out DIR [--seed N] [--size PX] [--per-site N]}.
 */
public final class CitySafetyGenerator {

    /** How much to generate and how dirty the training splits are. */
    public record Config(long seed, int imageSize, int samplesPerSite, double heldoutFraction, int testPerDomain,
                         int publicSamples, Map<Defect, Double> defectRates) {
        public Config {
            if (imageSize < 16 || imageSize > 512) {
                throw new IllegalArgumentException("image size must be in [16, 512], was " + imageSize);
            }
            if (samplesPerSite < 10) {
                throw new IllegalArgumentException("at least 10 samples per site, was " + samplesPerSite);
            }
            if (!(heldoutFraction >= 0 && heldoutFraction < 0.9)) {
                throw new IllegalArgumentException("heldout fraction must be in [0, 0.9), was " + heldoutFraction);
            }
            double total = 0;
            for (Map.Entry<Defect, Double> e : defectRates.entrySet()) {
                if (!(e.getValue() >= 0 && e.getValue() <= 0.5)) {
                    throw new IllegalArgumentException("defect rate of " + e.getKey() + " must be in [0, 0.5], was " + e.getValue());
                }
                total += e.getValue();
            }
            if (total > 0.9) {
                throw new IllegalArgumentException("defect rates add up to " + total + "; at most 0.9");
            }
            defectRates = Map.copyOf(defectRates);
        }

        public static Config defaults(long seed) {
            Map<Defect, Double> rates = new LinkedHashMap<>();
            rates.put(Defect.EXACT_DUPLICATE, 0.03);
            rates.put(Defect.NEAR_DUPLICATE, 0.03);
            rates.put(Defect.LABEL_NOISE, 0.05);
            rates.put(Defect.BLURRED_IMAGE, 0.03);
            rates.put(Defect.DARK_IMAGE, 0.03);
            rates.put(Defect.TEXT_IMAGE_MISMATCH, 0.03);
            rates.put(Defect.PII_IN_TEXT, 0.04);
            rates.put(Defect.MISSING_IMAGE, 0.02);
            rates.put(Defect.MISSING_TEXT, 0.02);
            return new Config(seed, 64, 300, 0.2, 50, 300, rates);
        }
    }

    /** The defects the generator injects, with their names in the ground truth. */
    public enum Defect {
        EXACT_DUPLICATE, NEAR_DUPLICATE, LABEL_NOISE, BLURRED_IMAGE, DARK_IMAGE, TEXT_IMAGE_MISMATCH, PII_IN_TEXT,
        MISSING_IMAGE, MISSING_TEXT;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One injected defect: the affected sample, and the original it came from where there is one. */
    public record GroundTruth(String id, Defect defect, String detail, String sourceId) {
    }

    private static final List<String> SITES = List.of(Taxonomy.ENERGY, Taxonomy.COMMUNITY, Taxonomy.URBAN);
    private static final Map<String, List<String>> SCENARIOS = Map.of(
            Taxonomy.ENERGY, List.of("pipeline", "substation", "meter"),
            Taxonomy.COMMUNITY, List.of("gate", "corridor", "parking", "lift"),
            Taxonomy.URBAN, List.of("road", "drain", "street_furniture"),
            Taxonomy.PUBLIC, List.of("generic"));
    private static final List<String> NAMES = List.of("Maria Lopez", "Chen Wei", "Amara Okafor", "John Smith", "Priya Nair");

    private final Config config;

    public CitySafetyGenerator(Config config) {
        this.config = config;
    }

    /** Writes every split of every domain under {@code out}. */
    public void generateAll(Path out) throws IOException {
        for (String site : SITES) {
            generateSite(site, out.resolve(site));
        }
        generateTest(out.resolve("test"));
        generatePublic(out.resolve("public"));
    }

    /** One site's folder: train (with defects), heldout, ground truth. */
    public List<GroundTruth> generateSite(String domain, Path dir) throws IOException {
        Random r = new Random(config.seed() * 1_000_003L + SITES.indexOf(domain) * 7919L + 1);
        int heldout = (int) Math.round(config.samplesPerSite() * config.heldoutFraction());
        int train = config.samplesPerSite() - heldout;
        Files.createDirectories(dir.resolve("images"));
        List<Draft> trainSet = draw(domain, domain + "-train-", train, r);
        List<Draft> heldoutSet = draw(domain, domain + "-heldout-", heldout, r);
        List<GroundTruth> truth = injectDefects(domain, trainSet, r);
        writeSplit(dir, "train.jsonl", trainSet);
        writeSplit(dir, "heldout.jsonl", heldoutSet);
        List<String> lines = new ArrayList<>();
        for (GroundTruth t : truth) {
            lines.add(ManifestFormat.write(new Sample(t.id(), null, null, null, null, truthMeta(t))));
        }
        Files.write(dir.resolve("ground_truth.jsonl"), lines, StandardCharsets.UTF_8);
        return truth;
    }

    /** A clean test split drawn from every domain. */
    public void generateTest(Path dir) throws IOException {
        Random r = new Random(config.seed() * 1_000_003L + 104_729L);
        Files.createDirectories(dir.resolve("images"));
        List<Draft> all = new ArrayList<>();
        for (String domain : SITES) {
            all.addAll(draw(domain, "test-" + domain + "-", config.testPerDomain(), r));
        }
        writeSplit(dir, "test.jsonl", all);
    }

    /** Generic-style data over the whole taxonomy, standing for public data. */
    public void generatePublic(Path dir) throws IOException {
        Random r = new Random(config.seed() * 1_000_003L + 15_485_863L);
        Files.createDirectories(dir.resolve("images"));
        writeSplit(dir, "train.jsonl", draw(Taxonomy.PUBLIC, "public-", config.publicSamples(), r));
    }

    /** A sample before it is written: its image in memory. */
    private static final class Draft {
        String id;
        String domain;
        String label;
        String scenario;
        String text;
        BufferedImage image;

        Draft copy(String newId) {
            Draft d = new Draft();
            d.id = newId;
            d.domain = domain;
            d.label = label;
            d.scenario = scenario;
            d.text = text;
            d.image = image;
            return d;
        }
    }

    private List<Draft> draw(String domain, String prefix, int count, Random r) {
        List<String> classes = Taxonomy.classesOf(domain);
        List<Draft> drafts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Draft d = new Draft();
            d.id = String.format(Locale.ROOT, "%s%05d", prefix, i + 1);
            d.domain = domain;
            d.label = classes.get(r.nextInt(classes.size()));
            d.scenario = SCENARIOS.get(domain).get(r.nextInt(SCENARIOS.get(domain).size()));
            d.text = IncidentReports.write(domain, d.label, r);
            d.image = IncidentImages.render(domain, d.label, config.imageSize(), r);
            drafts.add(d);
        }
        return drafts;
    }

    private List<GroundTruth> injectDefects(String domain, List<Draft> set, Random r) {
        List<Integer> pool = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            pool.add(i);
        }
        Collections.shuffle(pool, r);
        int cursor = 0;
        int clean = set.size();
        List<GroundTruth> truth = new ArrayList<>();
        List<String> classes = Taxonomy.classesOf(domain);
        int extra = 0;
        for (Defect defect : Defect.values()) {
            int n = (int) Math.round(clean * config.defectRates().getOrDefault(defect, 0.0));
            for (int k = 0; k < n && cursor < pool.size(); k++) {
                Draft d = set.get(pool.get(cursor++));
                switch (defect) {
                    case EXACT_DUPLICATE -> {
                        Draft copy = d.copy(String.format(Locale.ROOT, "%s-train-x%04d", domain, ++extra));
                        set.add(copy);
                        truth.add(new GroundTruth(copy.id, defect, "identical image and text", d.id));
                    }
                    case NEAR_DUPLICATE -> {
                        Draft copy = d.copy(String.format(Locale.ROOT, "%s-train-x%04d", domain, ++extra));
                        copy.image = IncidentImages.nearCopy(d.image, r);
                        copy.text = IncidentReports.reword(d.text);
                        set.add(copy);
                        truth.add(new GroundTruth(copy.id, defect, "cropped, noised image and reworded text", d.id));
                    }
                    case LABEL_NOISE -> {
                        String wrong = d.label;
                        while (wrong.equals(d.label)) {
                            wrong = classes.get(r.nextInt(classes.size()));
                        }
                        truth.add(new GroundTruth(d.id, defect, "labelled " + wrong + ", truly " + d.label, null));
                        d.label = wrong;
                    }
                    case BLURRED_IMAGE -> {
                        d.image = IncidentImages.blur(d.image);
                        truth.add(new GroundTruth(d.id, defect, "box blur 3x3, two passes", null));
                    }
                    case DARK_IMAGE -> {
                        BufferedImage dark = copyOf(d.image);
                        IncidentImages.scaleBrightness(dark, 0.22);
                        d.image = dark;
                        truth.add(new GroundTruth(d.id, defect, "brightness x0.22", null));
                    }
                    case TEXT_IMAGE_MISMATCH -> {
                        String other = d.label;
                        while (other.equals(d.label)) {
                            other = classes.get(r.nextInt(classes.size()));
                        }
                        d.text = IncidentReports.write(domain, other, r);
                        truth.add(new GroundTruth(d.id, defect, "text describes " + other, null));
                    }
                    case PII_IN_TEXT -> {
                        String pii = switch (r.nextInt(4)) {
                            case 0 -> "phone " + String.format(Locale.ROOT, "+44 20 %04d %04d", r.nextInt(10_000), r.nextInt(10_000));
                            case 1 -> "email " + NAMES.get(r.nextInt(NAMES.size())).toLowerCase(Locale.ROOT).replace(' ', '.') + "@example.org";
                            case 2 -> "id " + String.format(Locale.ROOT, "ID-%04d-%04d-%04d", r.nextInt(10_000), r.nextInt(10_000), r.nextInt(10_000));
                            default -> "name " + NAMES.get(r.nextInt(NAMES.size()));
                        };
                        String value = pii.substring(pii.indexOf(' ') + 1);
                        d.text = d.text + " Contact: " + value + ".";
                        truth.add(new GroundTruth(d.id, defect, pii, null));
                    }
                    case MISSING_IMAGE -> {
                        d.image = null;
                        truth.add(new GroundTruth(d.id, defect, "no image", null));
                    }
                    case MISSING_TEXT -> {
                        d.text = null;
                        truth.add(new GroundTruth(d.id, defect, "no text", null));
                    }
                }
            }
        }
        // Copies go among the originals, not at the end, as they would in real data.
        Collections.shuffle(set, r);
        return truth;
    }

    private static BufferedImage copyOf(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(src, 0, 0, null);
        return out;
    }

    private static void writeSplit(Path dir, String manifest, List<Draft> drafts) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Draft d : drafts) {
            String image = null;
            if (d.image != null) {
                image = "images/" + d.id + ".png";
                Files.write(dir.resolve(image), png(d.image));
            }
            lines.add(ManifestFormat.write(new Sample(d.id, image, d.text, d.label, d.scenario, Map.of("domain", d.domain))));
        }
        Files.write(dir.resolve(manifest), lines, StandardCharsets.UTF_8);
    }

    static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> truthMeta(GroundTruth t) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("defect", t.defect().key());
        meta.put("detail", t.detail());
        if (t.sourceId() != null) {
            meta.put("source", t.sourceId());
        }
        return meta;
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        long seed = 7;
        int size = 64;
        int perSite = 300;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--per-site" -> perSite = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (usage: --out DIR [--seed N] [--size PX] [--per-site N])");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out DIR is required");
        }
        Config defaults = Config.defaults(seed);
        Config config = new Config(seed, size, perSite, defaults.heldoutFraction(), defaults.testPerDomain(),
                defaults.publicSamples(), defaults.defectRates());
        long start = System.nanoTime();
        new CitySafetyGenerator(config).generateAll(out);
        System.out.printf(Locale.ROOT, "City-safety data (seed %d, %dpx, %d per site) written to %s in %.1f s%n",
                seed, size, perSite, out.toAbsolutePath(), (System.nanoTime() - start) / 1e9);
    }
}
