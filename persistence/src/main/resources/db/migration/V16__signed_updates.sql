-- Version 16: each site's Ed25519 public key, with which it signs its updates, and the nonces of
-- the updates the coordinator received, so a recorded upload sent again is refused.
ALTER TABLE site ADD COLUMN signing_key VARCHAR(200);

CREATE TABLE update_nonce (
    site_code     VARCHAR(64)              NOT NULL,
    federation_id BIGINT                   NOT NULL,
    round_number  INTEGER                  NOT NULL,
    nonce         VARCHAR(64)              NOT NULL,
    received_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (site_code, federation_id, round_number, nonce)
);
