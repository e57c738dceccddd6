package org.civitas.web.portal;

import jakarta.faces.FacesException;
import jakarta.faces.application.ViewExpiredException;
import jakarta.faces.context.ExceptionHandler;
import jakarta.faces.context.ExceptionHandlerFactory;
import jakarta.faces.context.ExceptionHandlerWrapper;
import jakarta.faces.context.FacesContext;
import jakarta.faces.event.ExceptionQueuedEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

/**
 * A form posted with an expired session, or with a view state this session never handed out (a
 * forged cross-site post), cannot be restored: the user is sent to the login page, which logs in
 * again and returns, instead of an error page with a stack trace. Registered in faces-config.xml.
 */
public class ExpiredViews extends ExceptionHandlerFactory {

    public ExpiredViews(ExceptionHandlerFactory wrapped) {
        super(wrapped);
    }

    @Override
    public ExceptionHandler getExceptionHandler() {
        return new Handler(getWrapped().getExceptionHandler());
    }

    private static final class Handler extends ExceptionHandlerWrapper {

        Handler(ExceptionHandler wrapped) {
            super(wrapped);
        }

        @Override
        public void handle() throws FacesException {
            Iterator<ExceptionQueuedEvent> events = getUnhandledExceptionQueuedEvents().iterator();
            while (events.hasNext()) {
                Throwable e = events.next().getContext().getException();
                while (e != null && !(e instanceof ViewExpiredException) && e.getCause() != e) {
                    e = e.getCause();
                }
                if (e instanceof ViewExpiredException) {
                    events.remove();
                    FacesContext faces = FacesContext.getCurrentInstance();
                    try {
                        faces.getExternalContext().redirect(faces.getExternalContext().getRequestContextPath()
                                + org.civitas.web.security.CivitasAuthenticationMechanism.LOGIN_PAGE);
                    } catch (IOException io) {
                        throw new UncheckedIOException(io);
                    }
                    faces.responseComplete();
                }
            }
            getWrapped().handle();
        }
    }
}
