-- Version 13: the coordinator's copy of each site's training windows, as the site reported them,
-- so a round's deadline leaves every site time inside one of its windows.
CREATE TABLE site_schedule (
    site_code    VARCHAR(64)              PRIMARY KEY,
    windows_json VARCHAR(4000)            NOT NULL,
    reported_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
