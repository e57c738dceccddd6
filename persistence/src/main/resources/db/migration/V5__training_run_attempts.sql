-- Version 5: a site retries a failed local-finetune job a few times while its round is open.
ALTER TABLE local_training_run ADD COLUMN attempts INTEGER DEFAULT 1 NOT NULL;
