-- Chat's search index is now written by the chat store, beside each message in the
-- transaction that stores or edits it, with the plain text of the message's sanitised
-- HTML (which 0051's triggers indexed as Markdown first, then had replaced). A trigger
-- runs its insert as a statement of its own, and each one made FTS5 write the terms
-- pending in the transaction out to a new segment: at chat ingest, most of a message's
-- cost. Nothing deletes chat messages (they are marked deleted), and the store removes
-- erased messages from the index itself.
drop trigger chat_search_insert on chat_messages;
drop trigger chat_search_update on chat_messages;
drop trigger chat_search_delete on chat_messages;
drop function chat_search_insert();
drop function chat_search_update();
drop function chat_search_delete();
