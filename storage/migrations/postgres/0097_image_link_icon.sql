-- Images shown as links were marked with the emoji 🖼, an empty box on machines without
-- an emoji font (issue 16). The stylesheet now draws an icon, and the link holds the word
-- "Image:" for screen readers only. Stored HTML is rewritten to match; the marker sat
-- right after the class only the renderer writes, so no member's own text is touched.
-- Policy versions are left as they were published.
update posts set html = replace(html, 'class="img-link">🖼 ', 'class="img-link"><span class="img-label">Image: </span>')
    where html like '%class="img-link">🖼 %';
update post_revisions set html = replace(html, 'class="img-link">🖼 ', 'class="img-link"><span class="img-label">Image: </span>')
    where html like '%class="img-link">🖼 %';
update chat_messages set html = replace(html, 'class="img-link">🖼 ', 'class="img-link"><span class="img-label">Image: </span>')
    where html like '%class="img-link">🖼 %';
update reports set snapshot_html = replace(snapshot_html, 'class="img-link">🖼 ', 'class="img-link"><span class="img-label">Image: </span>')
    where snapshot_html like '%class="img-link">🖼 %';
update notices set html = replace(html, 'class="img-link">🖼 ', 'class="img-link"><span class="img-label">Image: </span>'),
    quote_html = replace(quote_html, 'class="img-link">🖼 ', 'class="img-link"><span class="img-label">Image: </span>')
    where html like '%class="img-link">🖼 %' or quote_html like '%class="img-link">🖼 %';
update notice_replies set html = replace(html, 'class="img-link">🖼 ', 'class="img-link"><span class="img-label">Image: </span>')
    where html like '%class="img-link">🖼 %';
