-- Version 21: a model version's evaluation keeps its confusion matrix (labels and counts, as JSON),
-- from which the registry shows each label's precision, recall and F1.
ALTER TABLE model_version ADD COLUMN eval_confusion VARCHAR(200000);
