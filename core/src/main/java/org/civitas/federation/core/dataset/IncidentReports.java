package org.civitas.federation.core.dataset;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Short free-text incident reports: varied wording per class, each domain's own places and
 * reporters, and some ambiguity (a phrase that could belong to a related class).
 */
public final class IncidentReports {

    private static final Map<String, List<String>> OBSERVATIONS = Map.ofEntries(
            Map.entry("smoke_fire", List.of("smoke rising and visible flames", "a small fire has started", "thick smoke and a burning smell",
                    "flames seen, fire crew requested")),
            Map.entry("flooding", List.of("standing water is spreading", "area flooded after heavy rain", "water ankle deep and rising",
                    "flooding blocks access")),
            Map.entry("gas_leak", List.of("strong gas odour reported", "hissing sound from the line, suspected leak",
                    "gas detector alarm triggered", "possible leak at a valve")),
            Map.entry("power_outage", List.of("no power since early morning", "supply lost, everything is dark", "outage affecting the whole block",
                    "breaker tripped, lights out")),
            Map.entry("equipment_damage", List.of("housing cracked and sparking", "unit damaged, casing broken", "corroded part has failed",
                    "mechanical damage after impact")),
            Map.entry("intrusion", List.of("unknown person climbing the fence", "someone entered without authorisation",
                    "trespasser seen on camera", "door forced, intruder suspected")),
            Map.entry("vandalism", List.of("fresh graffiti sprayed on the wall", "property defaced overnight", "paint and broken fittings",
                    "deliberate damage to signs")),
            Map.entry("fall_injury", List.of("resident fell and is on the floor", "person slipped and was injured", "elderly visitor fell, ambulance called",
                    "fall reported, person conscious")),
            Map.entry("obstruction", List.of("boxes blocking the way", "passage obstructed by dumped items", "vehicle blocking the access",
                    "debris obstructs the route")),
            Map.entry("road_damage", List.of("deep pothole in the lane", "surface cracked and breaking up", "road damaged, hazard for cyclists",
                    "sinkhole forming in the asphalt")),
            Map.entry("drain_blockage", List.of("drain clogged with leaves", "gully blocked, water not draining", "debris in the grate",
                    "blocked drain causing a puddle")),
            Map.entry("lighting_failure", List.of("street lamp not working", "lights out along the path", "lamp flickering then dead",
                    "unlit section after dusk")));

    /** Phrases that blur the line between related classes. */
    private static final Map<String, String> CONFUSABLE = Map.ofEntries(
            Map.entry("smoke_fire", "there may also be a gas smell"),
            Map.entry("gas_leak", "some say they saw smoke"),
            Map.entry("power_outage", "the street lamps are also off"),
            Map.entry("lighting_failure", "maybe a wider power cut"),
            Map.entry("flooding", "the drains seem blocked"),
            Map.entry("drain_blockage", "water is starting to flood"),
            Map.entry("vandalism", "someone was seen climbing in"),
            Map.entry("intrusion", "some damage to the fence"),
            Map.entry("obstruction", "could be dumped on purpose"),
            Map.entry("road_damage", "traffic is partly blocked"),
            Map.entry("equipment_damage", "possibly vandalised"),
            Map.entry("fall_injury", "the floor was obstructed"));

    private static final Map<String, List<String>> PLACES = Map.of(
            Taxonomy.ENERGY, List.of("substation 4", "pipeline segment B-12", "meter cabinet 31", "transformer yard", "valve station north"),
            Taxonomy.COMMUNITY, List.of("block C lift lobby", "the east gate", "parking level -2", "corridor 5F", "the bike shed"),
            Taxonomy.URBAN, List.of("Harbour Road", "the drain on 5th Street", "bus stop 17", "Market Square", "the underpass at Elm Avenue"),
            Taxonomy.PUBLIC, List.of("the site", "the area", "a building", "the street", "a public place"));

    private static final Map<String, List<String>> OPENINGS = Map.of(
            Taxonomy.ENERGY, List.of("Field crew:", "SCADA note:", "Patrol log:", "Line inspector:"),
            Taxonomy.COMMUNITY, List.of("Guard log:", "Resident call:", "Concierge:", "Night patrol:"),
            Taxonomy.URBAN, List.of("Citizen report:", "City hotline:", "Street camera review:", "Inspector:"),
            Taxonomy.PUBLIC, List.of("Report:", "Note:", "Observation:", "Alert:"));

    private IncidentReports() {
    }

    public static String write(String domain, String label, Random r) {
        String opening = pick(OPENINGS.get(domain), r);
        String observation = pick(OBSERVATIONS.get(label), r);
        String place = pick(PLACES.get(domain), r);
        StringBuilder text = new StringBuilder(opening).append(' ');
        if (r.nextBoolean()) {
            text.append(capitalise(observation)).append(" at ").append(place).append('.');
        } else {
            text.append("At ").append(place).append(", ").append(observation).append('.');
        }
        if (r.nextDouble() < 0.15) {
            text.append(' ').append(capitalise(CONFUSABLE.get(label))).append('.');
        }
        return text.toString();
    }

    /** The same report in other words: synonyms swapped, as a near-duplicate would read. */
    static String reword(String text) {
        return text.replace("reported", "noted").replace("seen", "spotted").replace("blocked", "jammed")
                .replace("At ", "Near ").replace(" at ", " near ").replace("Report:", "Update:");
    }

    private static String pick(List<String> options, Random r) {
        return options.get(r.nextInt(options.size()));
    }

    private static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
