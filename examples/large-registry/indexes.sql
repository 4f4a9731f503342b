-- Indexes behind the blocking statement of matching.yaml (SQLite syntax; PostgreSQL and
-- MariaDB take the same columns, PostgreSQL preferably as `INCLUDE` columns).
--
-- Each index starts with the columns its sub-query seeks on, then holds every other
-- column the sub-query filters on or returns: the statement is answered from five index
-- seeks ("USING COVERING INDEX" in EXPLAIN QUERY PLAN) without reading a table row. On a
-- registry too large for the processor's caches, each B-tree seek costs a few
-- microseconds of memory latency, and the seeks are what a decision costs.
--
-- No ANALYZE: with its statistics (sqlite_stat4), SQLite re-plans a statement whenever a
-- bound value changes, which here would cost more than the lookup itself; each
-- sub-query's equality terms already lead the planner to its index.
CREATE INDEX IF NOT EXISTS ix_block_dob ON registry (
    date_of_birth,
    surname_cologne, surname_initial, surname_final,
    given_cologne, given_initial, given_final,
    rec_id, surname, given_name, postcode);
CREATE INDEX IF NOT EXISTS ix_block_surname_year ON registry (
    surname_cologne, birth_year,
    given_cologne, given_initial, given_final, birth_month, birth_day,
    rec_id, surname, given_name, date_of_birth, postcode);
CREATE INDEX IF NOT EXISTS ix_block_given_year ON registry (
    given_cologne, birth_year,
    surname_cologne, surname_initial, surname_final, birth_month, birth_day,
    rec_id, surname, given_name, date_of_birth, postcode);
CREATE INDEX IF NOT EXISTS ix_block_surname_monthday ON registry (
    surname_cologne, birth_monthday,
    given_cologne, given_initial, given_final,
    rec_id, surname, given_name, date_of_birth, postcode);
CREATE INDEX IF NOT EXISTS ix_block_given_monthday ON registry (
    given_cologne, birth_monthday,
    surname_cologne, surname_initial, surname_final,
    rec_id, surname, given_name, date_of_birth, postcode);
