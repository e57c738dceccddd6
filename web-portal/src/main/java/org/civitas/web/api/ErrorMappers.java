package org.civitas.web.api;

import jakarta.ejb.EJBException;
import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.civitas.domain.federation.UpdateRejectedException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.site.DatasetRejectedException;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Maps the application's exceptions to status codes with a JSON {@link ApiError} body. */
public final class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class.getName());

    private ErrorMappers() {
    }

    static Response error(int status, String message, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(message, reason)).build();
    }

    static int statusOf(UpdateRejectedException.Reason reason) {
        return switch (reason) {
            case UNKNOWN_SITE, BAD_SIGNATURE -> 401;
            case NOT_A_PARTICIPANT -> 403;
            case UNKNOWN_ROUND -> 404;
            case ROUND_NOT_OPEN, DUPLICATE, REPLAYED -> 409;
            case TOO_LARGE -> 413;
            case INVALID_TENSORS, INVALID_METADATA -> 422;
        };
    }

    static Response toResponse(Throwable e) {
        if (e instanceof ConstraintViolationException v) {
            return violations(v);
        }
        if (e instanceof UpdateRejectedException u) {
            return error(statusOf(u.getReason()), u.getMessage(), u.getReason().name());
        }
        if (e instanceof InvalidRequestException || e instanceof JsonbException) {
            return error(400, e.getMessage(), "INVALID_REQUEST");
        }
        if (e instanceof DatasetRejectedException d) {
            return Response.status(422).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ManifestErrors(d.getMessage(), "INVALID_MANIFEST", d.lines())).build();
        }
        if (e instanceof org.civitas.federation.common.TransactionRunner.ConcurrentWriteException) {
            return error(409, e.getMessage() + "; retry the request", "CONFLICT");
        }
        if (e instanceof org.civitas.federation.common.UnprocessableException) {
            return error(422, e.getMessage(), "UNPROCESSABLE");
        }
        if (e instanceof org.civitas.federation.common.ConflictException) {
            return error(409, e.getMessage(), "CONFLICT");
        }
        if (e instanceof NotFoundException) {
            return error(404, e.getMessage(), "NOT_FOUND");
        }
        if (e instanceof org.civitas.federation.common.ForbiddenException) {
            return error(403, e.getMessage(), "FORBIDDEN");
        }
        if (e instanceof jakarta.ws.rs.ForbiddenException) {
            return error(403, "your roles do not allow this action (it needs a consortium administrator, or the role the API"
                    + " documentation names)", "FORBIDDEN");
        }
        if (e instanceof jakarta.ws.rs.NotFoundException && conversionFailure(e) != null) {
            // A path or query parameter that does not convert (/federations/abc): the request is wrong, not the address.
            return error(400, "invalid parameter: " + conversionFailure(e).getMessage(), "INVALID_REQUEST");
        }
        if (e instanceof WebApplicationException w) {
            if (w.getResponse().hasEntity()) {
                return w.getResponse();
            }
            int status = w.getResponse().getStatus();
            return error(status, w.getMessage(), reasonOf(status));
        }
        if (e instanceof EJBException && e.getCause() != null && e.getCause() != e) {
            return toResponse(e.getCause());
        }
        LOG.log(Level.SEVERE, "Unexpected error behind the REST API", e);
        return error(500, "internal error: " + e.getClass().getSimpleName(), "INTERNAL");
    }

    /** The exception a parameter's conversion failed with, if that is what this is. */
    private static Throwable conversionFailure(Throwable e) {
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof IllegalArgumentException) {
                return c;
            }
        }
        return null;
    }

    /** The reason word of a framework error, so that every error answer has one. */
    static String reasonOf(int status) {
        return switch (status) {
            case 400 -> "INVALID_REQUEST";
            case 401 -> "UNAUTHORIZED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 406 -> "NOT_ACCEPTABLE";
            case 409 -> "CONFLICT";
            case 413 -> "TOO_LARGE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            default -> status >= 500 ? "INTERNAL" : "INVALID_REQUEST";
        };
    }

    /** The 400 body of a request that breaks its constraints: every broken field with what it must be. */
    public record Violations(String error, String reason, List<Violation> violations) {
    }

    /** One broken constraint: the field ({@code body} for a missing body) and the message. */
    public record Violation(String field, String message) {
    }

    static Response violations(ConstraintViolationException e) {
        List<Violation> found = e.getConstraintViolations().stream()
                .map(v -> new Violation(field(v.getPropertyPath()), v.getMessage()))
                .sorted(java.util.Comparator.comparing(Violation::field).thenComparing(Violation::message))
                .toList();
        String error = found.stream().map(v -> v.field() + ": " + v.message()).collect(java.util.stream.Collectors.joining("; "));
        return Response.status(400).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new Violations(error.isEmpty() ? "invalid request" : error, "INVALID_REQUEST", found)).build();
    }

    /**
     * A violation's field as the body names it: {@code purpose}, {@code datasets[1]} for an element
     * of a list, {@code [0].cron} for a field of a list body's first element; "body" for the body
     * itself (method.arg0).
     */
    private static String field(Path path) {
        StringBuilder field = new StringBuilder();
        int nodes = 0;
        for (Path.Node node : path) {
            nodes++;
            String index = node.isInIterable() && node.getIndex() != null ? "[" + node.getIndex() + "]" : "";
            if (node.getKind() == jakarta.validation.ElementKind.PROPERTY) {
                field.append(index).append(field.length() > 0 ? "." : "").append(node.getName());
            } else if (node.getKind() == jakarta.validation.ElementKind.CONTAINER_ELEMENT) {
                field.append(index);
            }
        }
        return field.length() > 0 ? field.toString() : nodes <= 2 ? "body" : path.toString();
    }

    /** The 422 body of a refused manifest: every bad line with its number. */
    public record ManifestErrors(String error, String reason, java.util.List<ManifestImporter.LineError> lines) {
    }

    /**
     * Bean Validation's refusals, ahead of the framework's own mappers (RESTEasy's and Jersey's map
     * the broader {@code ValidationException}), so every server answers the same JSON shape.
     */
    @Provider
    public static class ConstraintViolations implements ExceptionMapper<ConstraintViolationException> {
        @Override
        public Response toResponse(ConstraintViolationException e) {
            return violations(e);
        }
    }

    @Provider
    public static class Any implements ExceptionMapper<Exception> {
        @Override
        public Response toResponse(Exception e) {
            return ErrorMappers.toResponse(e);
        }
    }
}
