package org.civitas.web.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.civitas.federation.infrastructure.CivitasSettings;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The one limit on request bodies: {@code civitas.upload.max-bytes} (the largest update a site may
 * send) plus room for the multipart framing. A larger body is answered 413 with the JSON error
 * body before anything reads it, whether it declares its length or streams in chunks. The server's
 * own post-size limit is set far above this (see configure-civitas.cli), so this one is the one
 * that applies, with the answer the API documents. A model bundle's import is the one exception:
 * a bundle carries its pretrained encoder, so its limit is the bundle's own.
 */
@Provider
@PreMatching
public class BodyLimit implements ContainerRequestFilter {

    /** Multipart boundaries, part headers and the metadata part, on top of the tensors. */
    static final long FRAMING_BYTES = 64 * 1024;

    @Inject
    CivitasSettings settings;

    @Override
    public void filter(ContainerRequestContext request) {
        boolean bundle = "POST".equals(request.getMethod()) && request.getUriInfo().getPath().replaceAll("^/+|/+$", "").equals("bundles");
        long max = bundle ? org.civitas.federation.coordinator.ModelBundleService.MAX_BUNDLE_BYTES : settings.uploadMaxBytes() + FRAMING_BYTES;
        String limit = bundle ? "a model bundle's limit" : "civitas.upload.max-bytes plus " + FRAMING_BYTES + " for the framing";
        String declared = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                request.abortWith(ErrorMappers.error(400, "Content-Length '" + declared + "' is not a number", "INVALID_REQUEST"));
                return;
            }
            if (length > max) {
                request.abortWith(tooLarge(length + " bytes", max, limit));
            }
            return;
        }
        if (request.hasEntity()) {
            request.setEntityStream(new Limited(request.getEntityStream(), max, limit));
        }
    }

    static jakarta.ws.rs.core.Response tooLarge(String size, long max, String limit) {
        return ErrorMappers.error(413, "request body of " + size + " exceeds the limit of " + max + " bytes (" + limit + ")", "TOO_LARGE");
    }

    /** A body sent in chunks, cut off with a 413 once it passes the limit. */
    private static final class Limited extends FilterInputStream {
        private final long max;
        private final String limit;
        private long read;

        Limited(InputStream in, long max, String limit) {
            super(in);
            this.max = max;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            count(Math.max(n, 0));
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > max) {
                throw new WebApplicationException(tooLarge("more than " + max + " bytes", max, limit));
            }
        }
    }
}
