package org.civitas.federation.core.dataset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The founding premise on generated data: public-style training transfers poorly to each enterprise. */
class DomainShiftCheckTest {

    @TempDir
    Path data;

    @Test
    void aModelTrainedOnPublicDataUnderperformsOnEveryEnterpriseDomain() throws IOException {
        CitySafetyGenerator.Config d = CitySafetyGenerator.Config.defaults(21);
        new CitySafetyGenerator(new CitySafetyGenerator.Config(21, 64, 300, 0.2, 10, 300, d.defectRates())).generateAll(data);

        List<DomainShiftCheck.Result> results = DomainShiftCheck.run(data);

        assertThat(results).extracting(DomainShiftCheck.Result::domain).containsExactly("energy", "community", "urban");
        for (DomainShiftCheck.Result r : results) {
            assertThat(r.ownModelF1()).as(r.toString()).isGreaterThan(0.7).isGreaterThan(r.publicModelF1() + 0.1);
        }
    }
}
