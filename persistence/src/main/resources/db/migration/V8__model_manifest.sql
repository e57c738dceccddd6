-- Version 8: a plan whose model is described by a model manifest (towers, adapters, labels)
-- records the manifest's hash; the hash is part of the plan hash.
ALTER TABLE federation_plan ADD COLUMN model_manifest_sha256 VARCHAR(64);

-- Sites that measure it report the accuracy of a round's starting model on their data.
ALTER TABLE update_receipt ADD COLUMN global_accuracy DOUBLE PRECISION;

-- Incentives: the fraction of each round's reward paid in equal parts to every eligible site.
ALTER TABLE federation_plan ADD COLUMN participation_share DOUBLE PRECISION;

-- A model version's evaluation on a test split: accuracy, macro-F1, and macro-F1 per scenario (JSON).
ALTER TABLE model_version ADD COLUMN eval_split VARCHAR(200);
ALTER TABLE model_version ADD COLUMN eval_accuracy DOUBLE PRECISION;
ALTER TABLE model_version ADD COLUMN eval_macro_f1 DOUBLE PRECISION;
ALTER TABLE model_version ADD COLUMN eval_by_scenario VARCHAR(4000);

-- Sites that measure it report the macro-F1 of a round's starting model on their held-out split.
ALTER TABLE update_receipt ADD COLUMN heldout_macro_f1 DOUBLE PRECISION;
