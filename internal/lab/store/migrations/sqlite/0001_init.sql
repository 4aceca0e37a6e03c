-- Times: created and updated are Unix seconds (they become Last-Modified);
-- last_used is Unix milliseconds so Expire's cutoff is not rounded.
CREATE TABLE sandboxes (
	token     TEXT PRIMARY KEY,
	last_used INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX sandboxes_last_used ON sandboxes (last_used);

-- AUTOINCREMENT: an ID is never reused after a delete, so a client holding
-- an old ID and version can never hit a newer article by accident.
CREATE TABLE articles (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	sandbox TEXT NOT NULL REFERENCES sandboxes (token) ON DELETE CASCADE,
	slug    TEXT NOT NULL,
	title   TEXT NOT NULL,
	body    TEXT NOT NULL,
	state   TEXT NOT NULL CHECK (state IN ('draft', 'published', 'archived')),
	version INTEGER NOT NULL CHECK (version >= 1),
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	UNIQUE (sandbox, slug)
);
