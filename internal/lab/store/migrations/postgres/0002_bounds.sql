-- Bounds on what the lab keeps (a public instance was flooded with
-- sandboxes).
--
-- created: when the sandbox was made, so that one used only in the minute
-- it was made can expire sooner. NULL for sandboxes made before this
-- migration, which are not judged by it.
ALTER TABLE sandboxes ADD COLUMN created timestamptz;

-- size: an article's stored bytes as store.Size counts them.
ALTER TABLE articles ADD COLUMN size bigint NOT NULL DEFAULT 0;
UPDATE articles SET size = octet_length(slug) + octet_length(title) + octet_length(body) + 64;

-- usage_bytes holds the sum of every article's size, spread over 16 rows by
-- article id, so that writers of different articles seldom wait for one
-- another on it. A trigger keeps it, so no path (a cascading delete of an
-- expired sandbox included) is missed.
CREATE TABLE usage_bytes (
	shard integer PRIMARY KEY,
	bytes bigint NOT NULL
);
INSERT INTO usage_bytes (shard, bytes)
SELECT n, coalesce((SELECT sum(size) FROM articles WHERE id % 16 = n), 0) FROM generate_series(0, 15) AS n;

CREATE FUNCTION count_article_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE usage_bytes SET bytes = bytes + NEW.size WHERE shard = NEW.id % 16;
	ELSIF TG_OP = 'UPDATE' THEN
		UPDATE usage_bytes SET bytes = bytes + NEW.size - OLD.size WHERE shard = NEW.id % 16;
	ELSE
		UPDATE usage_bytes SET bytes = bytes - OLD.size WHERE shard = OLD.id % 16;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER articles_usage_insert AFTER INSERT ON articles
	FOR EACH ROW EXECUTE FUNCTION count_article_bytes();
-- Only a change of size takes the row: transitions and same-size edits do
-- not queue on it.
CREATE TRIGGER articles_usage_update AFTER UPDATE OF size ON articles
	FOR EACH ROW WHEN (NEW.size <> OLD.size) EXECUTE FUNCTION count_article_bytes();
CREATE TRIGGER articles_usage_delete AFTER DELETE ON articles
	FOR EACH ROW EXECUTE FUNCTION count_article_bytes();
