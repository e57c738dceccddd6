package org.civitas.federation.common;

import org.civitas.domain.security.Role;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallerTest {

    @Test
    void aRoleCheckPassesWithAnyOfTheRolesAndOtherwiseNamesThem() {
        Caller auditor = new Caller("ada", Set.of(Role.AUDITOR), null);

        assertThatCode(() -> auditor.require("list the users", Role.CONSORTIUM_ADMIN, Role.AUDITOR)).doesNotThrowAnyException();
        assertThatThrownBy(() -> auditor.require("start federations", Role.CONSORTIUM_ADMIN))
                .isInstanceOf(ForbiddenException.class).hasMessage("only a consortium administrator may start federations");
        assertThatThrownBy(() -> auditor.require("decide", Role.COMPLIANCE_OFFICER, Role.DATA_STEWARD))
                .hasMessage("only a compliance officer or a data steward may decide");
    }

    @Test
    void thePlatformPassesEveryCheckAndIsAuditedAsTheSystemButAUserNamedSystemIsAUser() {
        assertThatCode(() -> Caller.SYSTEM.require("start federations", Role.CONSORTIUM_ADMIN)).doesNotThrowAnyException();
        assertThat(Caller.SYSTEM.actor()).isEqualTo(AuditService.SYSTEM);

        Caller impostor = new Caller("system", EnumSet.allOf(Role.class), null);
        assertThat(impostor).isEqualTo(Caller.SYSTEM);
        assertThat(impostor.actor()).isEqualTo("user:system");
    }
}
