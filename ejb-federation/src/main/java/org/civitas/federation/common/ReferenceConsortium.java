package org.civitas.federation.common;

import org.civitas.federation.core.data.SyntheticFeatureData;
import org.civitas.federation.core.model.LabeledFeatures;

import java.util.List;

/**
 * The reference consortium's three sites, one per enterprise, each with its own class mix and
 * sample count so that the federation is non-IID as real members are, and its own LoRA rank (its
 * compute budget) for rules that allow heterogeneous ranks. A standalone server hosts these sites,
 * and there a plan that names no sites takes them ({@code CivitasSettings.defaultPlanSites}). The
 * demo seeds and generates their data from here.
 */
public final class ReferenceConsortium {

    public static final int FEATURES = ModelCatalog.FEATURE_COUNT;
    public static final int CLASSES = ModelCatalog.FEATURE_CLASSES;

    /** A demo member: its enterprise, its site, and how its private data is drawn. */
    public record Profile(String siteCode, String siteName, String enterpriseCode, String enterpriseName, String sector,
                          int samples, double[] classWeights, long seed, int loraRank) {
        public LabeledFeatures generate() {
            return SyntheticFeatureData.generate(FEATURES, classWeights, samples, seed);
        }
    }

    public static final List<Profile> PROFILES = List.of(
            new Profile("energy", "Energy grid operations site", "meridian-energy", "Meridian Energy",
                    "energy infrastructure safety", 600, new double[] {5, 3, 1, 0.5, 0.5}, 101, 4),
            new Profile("community", "Residential community security site", "harbourview-residential",
                    "Harbourview Residential", "residential community security", 400, new double[] {0.5, 1, 5, 3, 0.5}, 202, 2),
            new Profile("urban", "Urban operations site", "civic-operations", "Civic Operations Agency",
                    "urban operation management", 800, new double[] {1, 0.5, 0.5, 2, 5}, 303, 3));

    public static final List<String> CODES = PROFILES.stream().map(Profile::siteCode).toList();

    /** The demo profile of a site code, if it is one of the demo's. */
    public static java.util.Optional<Profile> profile(String siteCode) {
        return PROFILES.stream().filter(p -> p.siteCode().equals(siteCode)).findFirst();
    }

    private ReferenceConsortium() {
    }
}
