-- The client exam's runs and their journals (package exam). They share the
-- lab's database so that every teapot instance behind one PostgreSQL sees
-- the same runs.
--
-- started is the origin of the journal's times (microseconds, as
-- timestamptz keeps them). requests counts the journaled requests, so that
-- the cap on them is one compare-and-set, which also makes a run's
-- requests take turns on its row. settings is the exam's own JSON.
CREATE TABLE exam_runs (
	id       text PRIMARY KEY,
	started  timestamptz NOT NULL,
	expires  timestamptz NOT NULL,
	requests integer NOT NULL DEFAULT 0 CHECK (requests >= 0),
	settings text NOT NULL
);

CREATE INDEX exam_runs_expires ON exam_runs (expires);

-- One row a journaled request: n is its place among its check's requests
-- (the script answers by it), seq its place in the run. record is what the
-- exam keeps of the request, as JSON; the body itself is never stored.
CREATE TABLE exam_entries (
	run        text NOT NULL REFERENCES exam_runs (id) ON DELETE CASCADE,
	check_name text NOT NULL,
	n          integer NOT NULL CHECK (n >= 1),
	seq        integer NOT NULL CHECK (seq >= 1),
	record     text NOT NULL,
	PRIMARY KEY (run, check_name, n)
);
