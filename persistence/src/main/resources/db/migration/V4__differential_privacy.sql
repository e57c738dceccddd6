-- Version 4: a plan may switch on client-level differential privacy (clip norm C, noise
-- multiplier sigma, target delta); both are part of the plan hash.

ALTER TABLE federation_plan ADD COLUMN dp_clip_norm DOUBLE PRECISION;
ALTER TABLE federation_plan ADD COLUMN dp_noise_multiplier DOUBLE PRECISION;
ALTER TABLE federation_plan ADD COLUMN dp_delta DOUBLE PRECISION;
