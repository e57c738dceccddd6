package org.civitas.federation.site;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.ProcessingException;

/**
 * Moves a site's calls on to the coordinator's next address when one cannot reach it (no connection,
 * or 502-504 from a proxy in front of it). It runs inside the fault-tolerance interceptors (a later
 * priority), so each retry of a call tries the next address.
 */
@FailsOver
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_AFTER + 20)
public class CoordinatorFailover {

    @Inject
    CoordinatorAddresses addresses;

    @AroundInvoke
    Object call(InvocationContext invocation) throws Exception {
        String url = addresses.current();
        try {
            return invocation.proceed();
        } catch (ProcessingException | CoordinatorClient.CoordinatorUnavailableException e) {
            addresses.unreachable(url);
            throw e;
        }
    }
}
