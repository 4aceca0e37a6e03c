-- The client exam's runs and their journals (package exam). They share the
-- lab's database so that every teapot instance behind one PostgreSQL sees
-- the same runs, and SQLite's one connection serves both.
--
-- started: Unix microseconds, the origin of the journal's times; expires:
-- Unix milliseconds. requests counts the journaled requests, so that the
-- cap on them is one compare-and-set. settings is the exam's own JSON.
CREATE TABLE exam_runs (
	id       TEXT PRIMARY KEY,
	started  INTEGER NOT NULL,
	expires  INTEGER NOT NULL,
	requests INTEGER NOT NULL DEFAULT 0 CHECK (requests >= 0),
	settings TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX exam_runs_expires ON exam_runs (expires);

-- One row a journaled request: n is its place among its check's requests
-- (the script answers by it), seq its place in the run. record is what the
-- exam keeps of the request, as JSON; the body itself is never stored.
CREATE TABLE exam_entries (
	run        TEXT NOT NULL REFERENCES exam_runs (id) ON DELETE CASCADE,
	check_name TEXT NOT NULL,
	n          INTEGER NOT NULL CHECK (n >= 1),
	seq        INTEGER NOT NULL CHECK (seq >= 1),
	record     TEXT NOT NULL,
	PRIMARY KEY (run, check_name, n)
) WITHOUT ROWID;
