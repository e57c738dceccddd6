package org.civitas.federation.core.dataset;

import java.util.List;
import java.util.Map;

/**
 * The shared incident taxonomy of the city-safety consortium and which classes each domain sees:
 * smoke/fire and flooding everywhere, the rest in one or two domains.
 */
public final class Taxonomy {

    public static final List<String> LABELS = List.of(
            "smoke_fire", "flooding", "gas_leak", "power_outage", "equipment_damage", "intrusion",
            "vandalism", "fall_injury", "obstruction", "road_damage", "drain_blockage", "lighting_failure");

    /** Domain codes of the reference consortium, plus the generic "public" style. */
    public static final String ENERGY = "energy";
    public static final String COMMUNITY = "community";
    public static final String URBAN = "urban";
    public static final String PUBLIC = "public";

    public static final Map<String, List<String>> CLASSES_BY_DOMAIN = Map.of(
            ENERGY, List.of("smoke_fire", "flooding", "gas_leak", "power_outage", "equipment_damage", "intrusion"),
            COMMUNITY, List.of("smoke_fire", "flooding", "power_outage", "intrusion", "vandalism", "fall_injury",
                    "obstruction", "lighting_failure"),
            URBAN, List.of("smoke_fire", "flooding", "vandalism", "obstruction", "road_damage", "drain_blockage",
                    "lighting_failure"),
            PUBLIC, LABELS);

    private Taxonomy() {
    }

    public static List<String> classesOf(String domain) {
        List<String> classes = CLASSES_BY_DOMAIN.get(domain);
        if (classes == null) {
            throw new IllegalArgumentException("unknown domain '" + domain + "' (known: " + CLASSES_BY_DOMAIN.keySet() + ")");
        }
        return classes;
    }
}
