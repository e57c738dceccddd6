-- Version 15: a data-sharing agreement request may carry the data-quality reports of its datasets,
-- so the compliance officers decide knowing what the data is like.
ALTER TABLE data_sharing_agreement ADD COLUMN quality_reports VARCHAR(500);
