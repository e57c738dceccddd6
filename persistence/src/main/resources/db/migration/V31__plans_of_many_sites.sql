-- Version 31: a plan pins each site's dataset by name and hash, about 120 characters a site, so the
-- plan of a consortium of a hundred sites outgrew 8000 characters (an agreement to it failed to
-- save). Both places that keep a plan's JSON now hold the plans of several thousand sites.
ALTER TABLE federation_plan ALTER COLUMN canonical_json SET DATA TYPE VARCHAR(1000000);
ALTER TABLE data_sharing_agreement ALTER COLUMN plan_json SET DATA TYPE VARCHAR(1000000);
