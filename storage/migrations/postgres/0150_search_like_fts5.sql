-- Forum search finds what it finds on SQLite. FTS5 there (tokenize 'porter unicode61
-- remove_diacritics 2') stems English words, ignores accents and drops no word, while the
-- 'english' configuration of migration 0050 also dropped stop words: a search for "a" or
-- "the" found nothing, and "bôld" did not find "bold". The configuration stoa_search
-- stems with the same Snowball stemmer but keeps every word, after unaccent. And as
-- unicode61 does, words are split at every character that is not a letter or digit
-- before PostgreSQL's parser sees them: it reads "<script>…</script>" as a tag and
-- skips what is inside, and "example.org" or "a.b@c.d" as one token each.
create extension if not exists unaccent;
create text search dictionary stoa_stem (template = snowball, language = english);
create text search configuration stoa_search (copy = english);
alter text search configuration stoa_search
    alter mapping for asciiword, asciihword, hword_asciipart, word, hword, hword_part
    with unaccent, stoa_stem;

alter table post_search drop column document;
alter table post_search add column document tsvector generated always as
    (setweight(to_tsvector('stoa_search', regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')), 'A') ||
     setweight(to_tsvector('stoa_search', regexp_replace(body, '[^[:alnum:]]+', ' ', 'g')), 'B')) stored;
create index post_search_document on post_search using gin (document);

-- Chat's index reads the same way, so that a search finds in chat what it finds there on
-- SQLite too, and one query serves both indexes.
alter table chat_search drop column document;
alter table chat_search add column document tsvector generated always as
    (to_tsvector('stoa_search', regexp_replace(body, '[^[:alnum:]]+', ' ', 'g'))) stored;
create index chat_search_document on chat_search using gin (document);
