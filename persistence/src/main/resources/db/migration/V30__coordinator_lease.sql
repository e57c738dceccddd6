-- Version 30: coordinator high availability. Coordinator servers sharing this database claim the
-- lease every second; its holder closes the rounds, and each aggregation checks its fencing token.
CREATE TABLE coordinator_lease (
    name          VARCHAR(64)              PRIMARY KEY,
    holder        VARCHAR(200),
    fencing_token BIGINT                   NOT NULL,
    acquired_at   TIMESTAMP WITH TIME ZONE,
    expires_at    TIMESTAMP WITH TIME ZONE
);
INSERT INTO coordinator_lease (name, fencing_token) VALUES ('rounds', 0);
