CREATE TABLE sandboxes (
	token     text PRIMARY KEY,
	last_used timestamptz NOT NULL
);

CREATE INDEX sandboxes_last_used ON sandboxes (last_used);

CREATE TABLE articles (
	id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sandbox text NOT NULL REFERENCES sandboxes (token) ON DELETE CASCADE,
	slug    text NOT NULL,
	title   text NOT NULL,
	body    text NOT NULL,
	state   text NOT NULL CHECK (state IN ('draft', 'published', 'archived')),
	version bigint NOT NULL CHECK (version >= 1),
	created timestamptz NOT NULL,
	updated timestamptz NOT NULL,
	CONSTRAINT articles_sandbox_slug_key UNIQUE (sandbox, slug)
);
