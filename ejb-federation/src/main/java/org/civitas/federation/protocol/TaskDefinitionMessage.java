package org.civitas.federation.protocol;

import java.util.List;
import java.util.Set;

/** A task version as the coordinator tells a site: what a dataset of it may be labelled with and which modalities it reads. */
public record TaskDefinitionMessage(String name, int version, List<String> labels, Set<String> modalities, String sha256) {
}
