-- How many staged rows broke a set rule (connectors.SetRulesSQL).
SELECT count(*) FROM set_bad
