package org.civitas.federation.core.valuation;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Leave-one-out: what the round loses without each site, u(all) − u(all without i). n + 1 evaluations. */
public final class LeaveOneOut {

    private LeaveOneOut() {
    }

    public static Map<String, Double> values(List<String> sites, CoalitionUtility utility) {
        Set<String> all = new HashSet<>(sites);
        double full = utility.of(all);
        Map<String, Double> values = new LinkedHashMap<>();
        for (String site : sites) {
            Set<String> without = new HashSet<>(all);
            without.remove(site);
            values.put(site, full - utility.of(without));
        }
        return values;
    }
}
