-- Version 17: plans and agreements record which canonical JSON their hash was taken over. Rows
-- stored before used the hand-built form ('civitas-2026'); new ones use RFC 8785 ('rfc8785'), so
-- agreements already approved keep matching the plans they were approved for.
ALTER TABLE federation_plan ADD COLUMN canonical_form VARCHAR(20) DEFAULT 'civitas-2026' NOT NULL;
ALTER TABLE federation_plan ADD COLUMN model_manifest_legacy_sha256 VARCHAR(64);
UPDATE federation_plan SET model_manifest_legacy_sha256 = model_manifest_sha256;
ALTER TABLE data_sharing_agreement ADD COLUMN plan_canonical_form VARCHAR(20) DEFAULT 'civitas-2026' NOT NULL;
