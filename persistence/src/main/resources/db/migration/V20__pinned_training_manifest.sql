-- Version 20: a site trains every round of a federation on one version of its data: the first
-- round's run records the manifest it read and that manifest's SHA-256, and later rounds read the same.
ALTER TABLE local_training_run ADD COLUMN training_manifest VARCHAR(500);
ALTER TABLE local_training_run ADD COLUMN manifest_sha256 VARCHAR(64);
