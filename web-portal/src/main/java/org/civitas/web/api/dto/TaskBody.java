package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.civitas.domain.task.TaskDefinition;

import java.util.List;
import java.util.Set;

/**
 * A task to register, or its next version: a name, what it is for, the labels in the order of the
 * model's head, the modalities its samples carry ({@code image}, {@code text}) and the metric a
 * model of it is judged by ({@code macro-f1} or {@code accuracy}). Duplicate labels are a 422 from
 * the service; the shape is checked here.
 */
public record TaskBody(
        @NotBlank(message = "give the task's name") String name,
        @NotBlank(message = "say what the task is for") @Size(max = TaskDefinition.MAX_DESCRIPTION_LENGTH,
                message = "description must be 1-2000 characters") String description,
        @NotNull(message = "give the task's labels, in the order of the model's head")
        @Size(min = TaskDefinition.MIN_LABELS, max = TaskDefinition.MAX_LABELS, message = "labels must be 2 to 1000")
        List<@NotBlank(message = "a label is blank") @Size(max = TaskDefinition.MAX_LABEL_LENGTH,
                message = "a label must be at most 64 characters") String> labels,
        @NotEmpty(message = "modalities must name image, text or both") Set<@NotNull(message = "a modality is null") String> modalities,
        @NotBlank(message = "primaryMetric must be macro-f1 or accuracy") String primaryMetric) {

    public TaskDefinition.Spec spec() {
        return new TaskDefinition.Spec(name, description, labels, modalities, primaryMetric);
    }
}
