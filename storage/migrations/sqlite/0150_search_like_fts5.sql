-- Nothing to change on SQLite: its twin makes PostgreSQL's forum search find what FTS5
-- finds here (every word, stemmed, accents ignored).
select 1;
