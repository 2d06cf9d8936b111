-- Full-text search over chat messages, for the search page's chat tab; rowid is
-- chat_messages.id. The triggers index the Markdown source so the index is right whoever
-- changes a message; the server's AfterMessage hook then replaces it, in the same
-- transaction, with the plain text of the sanitised HTML. Hidden and deleted messages stay
-- indexed and every query filters them out, as post_search does for posts.
create virtual table chat_search using fts5(body, tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3');

insert into chat_search(rowid, body) select id, source from chat_messages;

create trigger chat_search_insert after insert on chat_messages begin
    insert into chat_search(rowid, body) values (new.id, new.source);
end;

create trigger chat_search_update after update of source on chat_messages when new.source is not old.source begin
    update chat_search set body = new.source where rowid = new.id;
end;

create trigger chat_search_delete after delete on chat_messages begin
    delete from chat_search where rowid = old.id;
end;
