-- Version 19: a dataset belongs to a task: its registration names the task version whose labels it
-- carries, and a data-quality run keeps the labels it checks the items against.
ALTER TABLE dataset_registration ADD COLUMN task_name VARCHAR(64);
ALTER TABLE dataset_registration ADD COLUMN task_version INTEGER;
ALTER TABLE quality_run ADD COLUMN labels VARCHAR(70000);
