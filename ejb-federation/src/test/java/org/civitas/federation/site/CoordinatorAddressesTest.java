package org.civitas.federation.site;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CoordinatorAddressesTest {

    private static final String A = "http://a:8080/civitas/api";
    private static final String B = "http://b:8080/civitas/api";

    @Test
    void callsGoToTheFirstAddressUntilItCannotBeReachedThenToTheNextInTurn() {
        CoordinatorAddresses addresses = new CoordinatorAddresses(List.of(A, B));
        assertThat(addresses.current()).isEqualTo(A);

        addresses.unreachable(A);
        assertThat(addresses.current()).isEqualTo(B);
        addresses.unreachable(B);
        assertThat(addresses.current()).as("round again").isEqualTo(A);
    }

    @Test
    void manyCallsFailingAtTheSameAddressMoveOnOnceNotPastTheNextOne() {
        CoordinatorAddresses addresses = new CoordinatorAddresses(List.of(A, B));

        addresses.unreachable(A);
        addresses.unreachable(A);
        addresses.unreachable(A);

        assertThat(addresses.current()).isEqualTo(B);
    }

    @Test
    void oneAddressStaysTheAddress() {
        CoordinatorAddresses addresses = new CoordinatorAddresses(List.of(A));
        addresses.unreachable(A);
        assertThat(addresses.current()).isEqualTo(A);
    }
}
