-- Bounds on what the lab keeps (a public instance was flooded with
-- sandboxes).
--
-- created: when the sandbox was made (Unix milliseconds), so that one used
-- only in the minute it was made can expire sooner. NULL for sandboxes made
-- before this migration, which are not judged by it.
ALTER TABLE sandboxes ADD COLUMN created INTEGER;

-- size: an article's stored bytes as store.Size counts them.
ALTER TABLE articles ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET size = length(CAST(slug AS BLOB)) + length(CAST(title AS BLOB)) + length(CAST(body AS BLOB)) + 64;

-- usage_bytes holds the sum of every article's size, spread over 16 rows by
-- article id: the same schema serves PostgreSQL, where one row would make
-- every writer wait for every other. Triggers keep it, so no path (a
-- cascading delete of an expired sandbox included) is missed.
CREATE TABLE usage_bytes (
	shard INTEGER PRIMARY KEY,
	bytes INTEGER NOT NULL
);
WITH RECURSIVE n(shard) AS (SELECT 0 UNION ALL SELECT shard + 1 FROM n WHERE shard < 15)
INSERT INTO usage_bytes (shard, bytes)
SELECT shard, coalesce((SELECT sum(size) FROM articles WHERE id % 16 = n.shard), 0) FROM n;

CREATE TRIGGER articles_usage_insert AFTER INSERT ON articles BEGIN
	UPDATE usage_bytes SET bytes = bytes + NEW.size WHERE shard = NEW.id % 16;
END;
CREATE TRIGGER articles_usage_update AFTER UPDATE OF size ON articles WHEN NEW.size != OLD.size BEGIN
	UPDATE usage_bytes SET bytes = bytes + NEW.size - OLD.size WHERE shard = NEW.id % 16;
END;
CREATE TRIGGER articles_usage_delete AFTER DELETE ON articles BEGIN
	UPDATE usage_bytes SET bytes = bytes - OLD.size WHERE shard = OLD.id % 16;
END;
