-- The equity_groups table, which the Go model of the same name fills (equity_groups.go):
-- the design §8 columns, then the unit the measures are on.
CREATE OR REPLACE TABLE equity_groups (
    scheme_id VARCHAR,
    period VARCHAR,
    dimension VARCHAR,
    measure VARCHAR,
    groups INTEGER,
    groups_left_out INTEGER,
    best_group VARCHAR,
    worst_group VARCHAR,
    d DOUBLE,
    r DOUBLE,
    bgv DOUBLE,
    bgv_se DOUBLE,
    mdmu DOUBLE,
    mdmw DOUBLE,
    idisu DOUBLE,
    idisw DOUBLE,
    ti DOUBLE,
    mld DOUBLE,
    parisk DOUBLE,
    paf DOUBLE,
    unit VARCHAR
)
