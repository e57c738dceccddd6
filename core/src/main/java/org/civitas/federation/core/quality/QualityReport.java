package org.civitas.federation.core.quality;

import java.util.List;
import java.util.Map;

/**
 * What may leave the site about a dataset's quality: counts and histograms only, never an item.
 *
 * @param items          lines checked
 * @param flaggedItems   items left out of the curated manifest
 * @param redactedItems  items kept with personal data redacted
 * @param curatedItems   items in the curated manifest
 * @param findings       findings per check key (an item may have several)
 * @param scoreHistograms per check key, the findings' scores in ten bins over [0, 1]
 * @param sharpnessHistogram images' sharpness relative to the dataset median, ten bins over [0, 2]
 * @param luminanceHistogram images' mean luminance, ten bins over [0, 1]
 * @param textLabelAgreement  share of labelled items whose text supports their label (null without texts)
 * @param imageLabelAgreement share of labelled items whose nearest images carry their label (null without images)
 * @param thresholds     the thresholds the checks used
 */
public record QualityReport(int items, int flaggedItems, int redactedItems, int curatedItems, Map<String, Integer> findings,
                            Map<String, List<Integer>> scoreHistograms, List<Integer> sharpnessHistogram,
                            List<Integer> luminanceHistogram, Double textLabelAgreement, Double imageLabelAgreement,
                            QualityThresholds thresholds) {

    public static final int BINS = 10;
}
