-- A new post is indexed once, by the forum, with the plain text of its sanitised HTML
-- (what search results show), in the statement that follows its insert. The trigger
-- this drops indexed the Markdown first, only for the forum to replace it at once: FTS5
-- did the work twice for every post. Edits, erasure and purges still go through
-- post_search_update, deletions of rows through post_search_delete.
drop trigger if exists post_search_insert on posts;
drop function if exists post_search_insert();
