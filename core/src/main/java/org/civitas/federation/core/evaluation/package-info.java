/** How well a model version does on a labelled split: confusion matrix, per-label precision, recall and F1. */
package org.civitas.federation.core.evaluation;
