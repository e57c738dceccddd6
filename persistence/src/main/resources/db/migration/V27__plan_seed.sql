-- Version 27: a plan may fix the number its sites' training seeds derive from, so that two
-- federations of equal settings train alike (a rebuilt line and its reference, for one).
ALTER TABLE federation_plan ADD COLUMN seed BIGINT;
