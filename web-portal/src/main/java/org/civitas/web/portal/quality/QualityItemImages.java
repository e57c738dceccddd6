package org.civitas.web.portal.quality;

import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.site.DataQualityService;
import org.civitas.web.security.CurrentCaller;

import java.io.IOException;

/**
 * The image of a flagged item, for the Quality page's thumbnails: the page names each by URL, and
 * the browser loads them in the portal's session (the REST API takes Basic credentials only). The
 * service decides who may see them: the staff of the site's enterprise.
 */
@WebServlet(QualityItemImages.PATH)
public class QualityItemImages extends HttpServlet {

    static final String PATH = "/quality/item-image";

    @Inject
    CurrentCaller caller;

    @EJB
    DataQualityService quality;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String site = request.getParameter("site");
        long run;
        int line;
        try {
            run = Long.parseLong(request.getParameter("run"));
            line = Integer.parseInt(request.getParameter("line"));
        } catch (NumberFormatException e) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "send site, run and line");
            return;
        }
        DataQualityService.ItemImage image;
        try {
            image = quality.itemImage(caller.get(), site, run, line);
        } catch (NotFoundException e) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, e.getMessage());
            return;
        } catch (ForbiddenException e) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, e.getMessage());
            return;
        } catch (InvalidRequestException e) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
            return;
        }
        response.setContentType(image.contentType());
        // The site's private data: kept by this browser only, never by a shared cache.
        response.setHeader("Cache-Control", "private, max-age=300");
        response.setContentLength(image.bytes().length);
        response.getOutputStream().write(image.bytes());
    }
}
