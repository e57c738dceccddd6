-- Version 2: a plan names its aggregation rule with parameters and optional filters, and the
-- number of updates that closes a round; model versions keep the strategy's server state
-- (optimizer moments); receipts record why an update was left out of the aggregate.

ALTER TABLE federation_plan ADD COLUMN strategy_params VARCHAR(2000) DEFAULT '{}' NOT NULL;
ALTER TABLE federation_plan ADD COLUMN filters VARCHAR(2000) DEFAULT '{}' NOT NULL;
ALTER TABLE federation_plan ADD COLUMN quorum INTEGER;

ALTER TABLE model_version ADD COLUMN server_state_sha256 VARCHAR(64);

ALTER TABLE update_receipt ADD COLUMN excluded_reason VARCHAR(1000);

-- Asynchronous rules (FedBuff) accept an update trained from an older round into the open round:
-- how many rounds it lags behind.
ALTER TABLE update_receipt ADD COLUMN staleness INTEGER DEFAULT 0 NOT NULL;
