-- An IoD edition's rows, replaced by a file of it.
-- Parameters: edition.
DELETE FROM deprivation WHERE edition = ?
