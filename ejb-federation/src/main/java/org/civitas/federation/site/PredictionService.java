package org.civitas.federation.site;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.core.dataset.BoundedImages;
import org.civitas.federation.core.dataset.ImagePixels;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.core.worker.WorkerResult;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.infrastructure.worker.ModelWorker;
import org.civitas.federation.protocol.ReleasedModel;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Predictions at a site with a model version the consortium released: the site fetches the version
 * and its manifest from the coordinator by hash, checks both, and its model worker answers the label
 * probabilities. Every input is checked before the worker sees it, and nothing of a request is kept:
 * each image is decoded once, to be checked, and the worker gets it already scaled to the image
 * tower's input, in the request itself (no file, no second decoding).
 */
@Stateless
public class PredictionService {

    /** Inputs per request: enough for a form or a small batch, and one worker call of bounded memory. */
    public static final int MAX_BATCH = 32;
    /** Encoded bytes of one image. */
    public static final int MAX_IMAGE_BYTES = 4 * 1024 * 1024;
    /** Characters of one report. */
    public static final int MAX_TEXT = 10_000;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** One input: a report's text and an image as base64, either of them absent. */
    public record Input(String text, String image) {
    }

    /**
     * The version to answer with (its model's sha256), the inputs, how many labels to rank (3 when
     * absent), and optionally the site's personal head on that version to answer with instead.
     */
    public record Request(String version, List<Input> inputs, Integer top, Long personalHead) {
    }

    public record LabelProbability(String label, double probability) {
    }

    /** One input's answer: the {@code top} most probable labels, then every label's probability. */
    public record Prediction(List<LabelProbability> top, Map<String, Double> probabilities) {
    }

    /**
     * The version that answered (with the personal head on it, if one did), one prediction per input
     * in order, and the time the site took, in milliseconds.
     */
    public record Answer(ReleasedModel version, Long personalHead, List<Prediction> predictions, double latencyMs) {
    }

    @Inject
    HostedSites hostedSites;

    @EJB
    SiteStaff staff;

    @Inject
    CoordinatorClient coordinator;

    @Inject
    ModelManifestFiles manifestFiles;

    @Inject
    ReleasedModels releasedModels;

    @EJB
    ModelWorker worker;

    @EJB
    PersonalHeadService personalHeads;

    @Inject
    CivitasSettings settings;

    /** The versions the site may answer with now: those the consortium released, as its coordinator lists them. */
    public List<ReleasedModel> released(Caller caller, String siteCode) {
        staff.requireModelUser(caller, siteCode);
        return coordinator.releases(hostedSites.identity(siteCode));
    }

    /**
     * @throws InvalidRequestException naming the input and what is wrong with it
     * @throws NotFoundException       when the version is not released now
     */
    public Answer predict(Caller caller, String siteCode, Request request) {
        long start = System.nanoTime();
        staff.requireModelUser(caller, siteCode);
        SiteIdentity site = hostedSites.identity(siteCode);
        if (request == null || request.version() == null || !SHA256.matcher(request.version()).matches()) {
            throw new InvalidRequestException("version: the sha256 of a released model version (64 lowercase hex digits) is required");
        }
        List<Input> inputs = request.inputs() == null ? List.of() : request.inputs();
        if (inputs.isEmpty() || inputs.size() > MAX_BATCH) {
            throw new InvalidRequestException("inputs: send 1 to " + MAX_BATCH + " inputs, was " + inputs.size());
        }
        int top = request.top() == null ? 3 : request.top();
        ReleasedModel version = releasedModels.find(site, request.version())
                .orElseThrow(() -> new NotFoundException("version " + request.version() + " is not a released model version"));
        Path manifestFile = manifestFiles.file(site, version.manifestSha256());
        ModelManifest manifest = manifestFiles.read(manifestFile);
        if (top < 1 || top > manifest.labels().size()) {
            throw new InvalidRequestException("top: rank 1 to " + manifest.labels().size() + " labels, was " + top);
        }
        List<BufferedImage> images = checked(inputs, manifest);
        Path state = request.personalHead() == null ? releasedModels.state(site, version)
                : personalHeads.servedState(site, request.personalHead(), version.modelSha256());
        // The images were decoded to be checked; the worker gets them scaled to the tower's input, not as files to decode again.
        List<WorkerRequest.Input> workerInputs = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String pixels = images.get(i) == null ? null
                    : Base64.getEncoder().encodeToString(ImagePixels.rgb(images.get(i), manifest.image().size()));
            String text = inputs.get(i).text();
            workerInputs.add(new WorkerRequest.Input(text == null || text.isBlank() ? null : text, null, pixels));
        }
        WorkerResult.Predicted predicted = worker.request(new WorkerRequest.Predict(manifestFile.toString(), state.toString(), workerInputs),
                (step, steps, loss) -> { }).result();
        List<Prediction> predictions = new ArrayList<>();
        for (float[] p : predicted.probabilities()) {
            predictions.add(prediction(manifest.labels(), p, top));
        }
        return new Answer(version, request.personalHead(), predictions, (System.nanoTime() - start) / 1e6);
    }

    /** Each input's image, decoded (null where it has none), every input checked against what the model reads. */
    private List<BufferedImage> checked(List<Input> inputs, ModelManifest manifest) {
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Input input = inputs.get(i);
            String where = "inputs[" + i + "]";
            if (input == null) {
                throw new InvalidRequestException(where + ": an input is an object with 'text' and/or 'image'");
            }
            boolean hasText = input.text() != null && !input.text().isBlank();
            boolean hasImage = input.image() != null && !input.image().isBlank();
            if (!hasText && !hasImage) {
                throw new InvalidRequestException(where + ": has neither 'text' nor 'image'");
            }
            if (hasText && manifest.text() == null) {
                throw new InvalidRequestException(where + ": the model reads images only, and the input carries a text");
            }
            if (hasImage && manifest.image() == null) {
                throw new InvalidRequestException(where + ": the model reads text only, and the input carries an image");
            }
            if (!hasImage && manifest.text() == null) {
                throw new InvalidRequestException(where + ": the model reads images, and the input has none");
            }
            if (!hasText && manifest.image() == null) {
                throw new InvalidRequestException(where + ": the model reads text, and the input has none");
            }
            if (hasText && input.text().length() > MAX_TEXT) {
                throw new InvalidRequestException(where + ".text: " + input.text().length() + " characters, over the limit of " + MAX_TEXT);
            }
            images.add(hasImage ? image(where, input.image()) : null);
        }
        return images;
    }

    private BufferedImage image(String where, String base64) {
        // Four base64 characters carry three bytes: refuse an oversize image before decoding it.
        if ((long) base64.length() * 3 / 4 > MAX_IMAGE_BYTES + 3) {
            throw new InvalidRequestException(where + ".image: over the limit of " + MAX_IMAGE_BYTES + " bytes");
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(where + ".image: not base64 (" + e.getMessage() + ")");
        }
        if (bytes.length > MAX_IMAGE_BYTES) {
            throw new InvalidRequestException(where + ".image: " + bytes.length + " bytes, over the limit of " + MAX_IMAGE_BYTES);
        }
        try {
            BufferedImage image = BoundedImages.read(bytes, settings.imageMaxPixels());
            if (image == null) {
                throw new InvalidRequestException(where + ".image: not an image this site can decode (PNG, JPEG, GIF or BMP)");
            }
            return image;
        } catch (BoundedImages.TooLargeException e) {
            throw new InvalidRequestException(where + ".image: " + e.getMessage());
        } catch (IOException e) {
            throw new InvalidRequestException(where + ".image: not an image this site can decode (" + e.getMessage() + ")");
        }
    }

    private static Prediction prediction(List<String> labels, float[] p, int top) {
        Map<String, Double> probabilities = new LinkedHashMap<>();
        List<LabelProbability> ranked = new ArrayList<>();
        for (int c = 0; c < labels.size(); c++) {
            probabilities.put(labels.get(c), (double) p[c]);
            ranked.add(new LabelProbability(labels.get(c), p[c]));
        }
        ranked.sort(Comparator.comparingDouble(LabelProbability::probability).reversed());
        return new Prediction(List.copyOf(ranked.subList(0, top)), probabilities);
    }
}
