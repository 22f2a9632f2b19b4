-- Files loaded before settings were recorded are taken as read under today's.
-- Parameters: settings, source.
UPDATE ingested_files SET settings = ? WHERE source = ? AND settings IS NULL
