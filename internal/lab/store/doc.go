// Package store stores the conflict lab's versioned articles: one
// Store interface with two implementations, SQLite (embedded, the default)
// and PostgreSQL (shared by several teapot instances). Every change is a
// compare-and-set on the article's version, done by the database in one
// statement; unique slugs are a database constraint. Articles live in
// sandboxes, one per visitor, that expire. A sandbox exists only once
// something was created in it, and the stores count what they hold
// (sandboxes, and the bytes of every article, kept by triggers) so that
// Limits can bound it.
//
// The same database keeps the client exam's runs and journals (Exams, for
// package exam): one SQLite file opened once (its single connection holds
// it exclusively) and one PostgreSQL schema serve both features, and one
// sequence of migrations builds both. The exam's records are opaque JSON
// here; the store counts, numbers and expires them.
//
// Both stores migrate their schema when opened, from the numbered files
// under migrations/, each recorded in schema_migrations. Timestamps are
// UTC, truncated to the second, because they become Last-Modified.
//
// store knows nothing of HTTP: it imports the database drivers and the
// standard library, nothing of teapot.
package store
