-- A chat message its author deleted kept its text in the database, the search index and
-- the author's data export (issue 16). From now on deleting one empties it at once; this
-- empties those deleted before. Messages deleted by staff keep their text for the
-- moderators until the retention period of deleted content ends, as forum posts do.
delete from chat_search where rowid in (select id from chat_messages where deleted_at is not null and deleted_by_staff = 0);
update chat_messages set source = '', html = '', nonce = null, submit_token = null
    where deleted_at is not null and deleted_by_staff = 0;
