package org.civitas.infrastructure.persistence;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class InstantColumnsTest {

    private final InstantColumns columns = new InstantColumns();

    @Test
    void anInstantIsStoredAsTheSameMomentInUtcToTheNanosecondAndReadBack() {
        Instant moment = Instant.parse("2026-03-29T01:59:59.123456789Z");
        OffsetDateTime column = columns.convertToDatabaseColumn(moment);
        assertThat(column.getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(column.toInstant()).isEqualTo(moment);
        assertThat(columns.convertToEntityAttribute(column)).isEqualTo(moment);
    }

    @Test
    void aColumnWrittenWithAnotherOffsetIsReadAsItsMoment() {
        OffsetDateTime berlin = OffsetDateTime.parse("2026-07-01T12:00:00+02:00");
        assertThat(columns.convertToEntityAttribute(berlin)).isEqualTo(Instant.parse("2026-07-01T10:00:00Z"));
    }

    @Test
    void nullStaysNull() {
        assertThat(columns.convertToDatabaseColumn(null)).isNull();
        assertThat(columns.convertToEntityAttribute(null)).isNull();
    }
}
