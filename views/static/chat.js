// Stoa chat: makes a room page live over a WebSocket. No framework and nothing from
// another site; without this script the page still reads and posts through plain forms.
(function () {
  'use strict';
  var root = document.getElementById('chat');
  if (!root) return;
  var log = document.getElementById('chat-log');
  if (log) log.scrollTop = log.scrollHeight;
  // On a phone the composer is pinned to the bottom of the screen (stoa.css); the page
  // starts scrolled to the end of the room, so that the newest messages sit just above it
  // rather than under it.
  var main = root.querySelector('.chat-main');
  if (main && document.getElementById('chat-compose') && window.matchMedia && window.matchMedia('(max-width: 720px)').matches) {
    var below = main.getBoundingClientRect().bottom - window.innerHeight;
    if (below > 0) window.scrollBy(0, below);
  }

  // Times: the server writes each as <time datetime> in one fixed format (UTC); here they
  // are shown in the reader's own locale and time zone, all in the same way.
  var clock = null, dayClock = null, fullClock = null;
  if (window.Intl && Intl.DateTimeFormat) {
    clock = new Intl.DateTimeFormat(undefined, {hour: 'numeric', minute: '2-digit'});
    dayClock = new Intl.DateTimeFormat(undefined, {day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit'});
    fullClock = new Intl.DateTimeFormat(undefined, {weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit'});
  }
  function showTime(t) {
    var at = new Date(t.dateTime || t.getAttribute('datetime'));
    if (!clock || isNaN(at.getTime())) return;
    var today = at.toDateString() === new Date().toDateString();
    t.textContent = (today ? clock : dayClock).format(at);
    t.title = fullClock.format(at);
  }
  if (log) Array.prototype.forEach.call(log.querySelectorAll('time[datetime]'), showTime);

  if (!root.dataset.live || !window.WebSocket || !window.JSON) return;

  var room = root.dataset.room;
  var me = root.dataset.me || '';
  var lastID = parseInt(root.dataset.last, 10) || 0;
  var form = document.getElementById('chat-form');
  var input = form ? form.querySelector('textarea[name="body"]') : null;
  var sendButton = document.getElementById('chat-send');
  var ackBox = document.getElementById('chat-ack');
  var ackActions = document.getElementById('chat-ack-actions');
  var statusEl = document.getElementById('chat-status');
  var typingEl = document.getElementById('chat-typing');
  var presenceEl = document.getElementById('chat-presence');
  var confirmBox = document.getElementById('chat-confirm');
  var confirmText = document.getElementById('chat-confirm-text');
  var ws = null;
  var backoff = 500;
  var replaying = false;
  // A message stays in the box until the server acknowledges it: pending holds what was
  // sent and not yet acknowledged, and sending is the one the box is waiting for.
  var pending = {};   // nonce -> {body, confirm}
  var sending = null;
  var held = null;    // {body, findings}: waiting for the member to confirm
  var lastTyping = 0;
  var typists = {};   // username -> time their typing notice expires
  var carried = {};   // nonces sent on an earlier connection, unacknowledged when this one opened
  var ended = '';     // why the server ended the member's session, shown until reload

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function status(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle('error', !!isError);
  }

  function newNonce() {
    var b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function append(node) {
    var stick = nearBottom();
    var empty = log.querySelector('.chat-empty');
    if (empty) empty.remove();
    log.appendChild(node);
    if (stick) log.scrollTop = log.scrollHeight;
  }

  function messageURL(id, action) {
    return '/chat/' + room + '/messages/' + id + '/' + action;
  }

  // avatar is the author's picture as views.Avatar draws it: served by this site only,
  // uploaded or drawn from the name.
  function avatar(name) {
    var img = el('img', 'avatar');
    img.src = '/avatar/' + encodeURIComponent(name);
    img.width = img.height = 24;
    img.alt = '';
    img.loading = 'lazy';
    return img;
  }

  // render builds a message like the server's own markup (views/chat.templ). html is the
  // server's stored, sanitised HTML.
  function render(f) {
    var li = el('li', 'chat-msg');
    li.id = 'm' + f.id;
    li.dataset.id = f.id;
    li.dataset.author = f.author;
    li.dataset.at = f.at;
    var head = el('div', 'chat-msg-head');
    head.appendChild(avatar(f.author));
    var author;
    if (f.author === 'former-member') {
      author = el('span', 'author', f.author);
    } else {
      author = el('a', 'author', f.author);
      author.href = '/u/' + encodeURIComponent(f.author);
    }
    head.appendChild(author);
    var when = el('a', 'when');
    when.href = '#m' + f.id;
    var time = el('time');
    time.dateTime = f.at;
    time.textContent = f.at;
    showTime(time);
    when.appendChild(time);
    head.appendChild(document.createTextNode(' '));
    head.appendChild(when);
    if (f.edited) {
      head.appendChild(document.createTextNode(' '));
      head.appendChild(el('span', 'muted chat-edited', '(edited)'));
    }
    li.appendChild(head);
    var body = el('div', 'prose chat-body');
    body.innerHTML = f.html;
    li.appendChild(body);
    if (me) {
      var actions = el('div', 'chat-actions');
      if (f.author === me) {
        var edit = el('a', 'chat-edit', 'Edit');
        edit.href = messageURL(f.id, 'edit');
        actions.appendChild(edit);
        actions.appendChild(document.createTextNode(' '));
        var del = el('a', 'chat-delete danger', 'Delete');
        del.href = messageURL(f.id, 'delete');
        actions.appendChild(del);
      } else {
        moderatorActions(actions, f);
        if (f.author !== 'former-member') {
          var report = el('a', '', 'Report');
          report.href = '/report?message=' + f.id;
          actions.appendChild(report);
        }
      }
      li.appendChild(actions);
    }
    return li;
  }

  function onMessage(f) {
    var p = f.nonce && pending[f.nonce];
    if (p) {
      delete pending[f.nonce];
      acknowledged(p);
      var slow = parseInt(root.getAttribute('data-slow') || '0', 10);
      if (slow > 0 && !f.edited) slowCountdown(slow);
    }
    var old = document.getElementById('m' + f.id);
    if (old) {
      var fresh = render(f);
      fresh.classList.toggle('grouped', old.classList.contains('grouped'));
      old.replaceWith(fresh);
      editDone(f);
    } else if (!f.edited) {
      var li = render(f);
      append(li);
      groupWithPrevious(li);
      noteRead(f.id);
      if (p) log.scrollTop = log.scrollHeight;
    }
    if (f.id > lastID) lastID = f.id;
    if (typists[f.author]) {
      delete typists[f.author];
      showTyping();
    }
  }

  // busy marks the box while the message in it is on its way: it cannot be changed or
  // sent twice, and it is emptied only once the server has stored the message.
  function busy(on) {
    form.classList.toggle('is-sending', on);
    input.readOnly = on;
    if (sendButton) {
      sendButton.disabled = on;
      sendButton.textContent = on ? 'Sending…' : 'Send';
    }
  }

  function acknowledged(p) {
    if (p.confirm && ackBox) ackDone();
    if (sending !== p) return;
    sending = null;
    busy(false);
    if (input.value === p.body) input.value = '';
  }

  // settle ends the wait for p without an acknowledgement; the text stays in the box.
  function settle(p) {
    if (!p || sending !== p) return;
    sending = null;
    busy(false);
    if (!input.value) input.value = p.body;
  }

  function send(body, confirm) {
    var nonce = newNonce();
    var frame = {type: 'send', body: body, nonce: nonce};
    if (confirm) frame.confirm = true;
    ws.send(JSON.stringify(frame));
    sending = pending[nonce] = {body: body, confirm: !!confirm};
    busy(true);
  }

  function takePending(nonce) {
    var p = nonce && pending[nonce];
    if (!p) return null;
    delete pending[nonce];
    return p;
  }

  // ackDone turns the notice before a first message into the one-line disclosure.
  function ackDone() {
    if (!ackBox) return;
    if (ackActions) ackActions.remove();
    ackActions = null;
    ackBox.className = 'chat-line';
    ackBox.id = 'chat-line';
    ackBox = null;
  }

  // onConfirm shows why the server held the message: one notice, in the disclosure
  // before a first message, naming what the detector found. The message stays in the box.
  function onConfirm(f) {
    var p = takePending(f.nonce);
    if (!p) return;
    settle(p);
    held = {body: p.body, findings: f.findings || []};
    var first = held.findings.indexOf('public room') >= 0;
    var others = held.findings.filter(function (x) { return x !== 'public room'; });
    confirmText.textContent = '';
    if (first) {
      confirmText.appendChild(el('strong', '', 'Your message is not sent yet:'));
      confirmText.appendChild(document.createTextNode(' this is your first message in this room, and it will be public. '));
    }
    if (others.length) {
      confirmText.appendChild(el('strong', '', 'Check before you send:'));
      confirmText.appendChild(document.createTextNode(' this looks like it contains '));
      confirmText.appendChild(el('b', '', others.length > 1 ? others.slice(0, -1).join(', ') + ' and ' + others[others.length - 1] : others[0]));
      confirmText.appendChild(document.createTextNode('. Edit it out, or send anyway.'));
    }
    document.getElementById('chat-confirm-send').textContent = others.length ? 'Send anyway' : 'Send';
    if (first && ackActions) ackActions.hidden = true;
    confirmBox.hidden = false;
    document.getElementById('chat-confirm-send').focus();
  }

  function onError(f) {
    var p = takePending(f.nonce);
    settle(p);
    if (ackActions && confirmBox.hidden) ackActions.hidden = false;
    status(f.message, true);
    if (f.code === 'slow_mode' && f.retry_after) slowCountdown(f.retry_after);
  }

  // onHeld: the server kept the message for the moderators' review. It is stored, so the
  // box is emptied, and a line says it waits.
  function onHeld(f) {
    var p = takePending(f.nonce);
    if (p) acknowledged(p);
    var box = document.getElementById('chat-waiting');
    if (!box) {
      box = el('p', 'waiting-review');
      box.id = 'chat-waiting';
      box.setAttribute('role', 'status');
      box.setAttribute('data-waiting-review', '');
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = '';
    box.appendChild(el('strong', '', 'Waiting for review. '));
    box.appendChild(document.createTextNode(f.message));
  }

  // slowCountdown shows, in slow mode, how many seconds are left before the member may
  // send again.
  var slowTimer = null;
  function slowCountdown(secs) {
    var wait = document.getElementById('chat-slow-wait');
    if (!wait) return;
    var until = Date.now() + secs * 1000;
    if (slowTimer) clearInterval(slowTimer);
    function tick() {
      var left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        wait.textContent = 'You can send now.';
        clearInterval(slowTimer);
        slowTimer = null;
        return;
      }
      wait.textContent = 'You can send again in ' + left + (left === 1 ? ' second.' : ' seconds.');
    }
    tick();
    slowTimer = setInterval(tick, 1000);
  }

  function showTyping() {
    var now = Date.now();
    var names = Object.keys(typists).filter(function (n) { return typists[n] > now; });
    if (!names.length) {
      typingEl.textContent = '';
    } else if (names.length === 1) {
      typingEl.textContent = names[0] + ' is typing…';
    } else {
      typingEl.textContent = names.slice(0, 3).join(', ') + ' are typing…';
    }
  }

  function showPresence(users, others) {
    presenceEl.textContent = '';
    if (!users.length) {
      presenceEl.appendChild(el('li', 'muted', 'No members here right now.'));
    }
    users.forEach(function (u) { presenceEl.appendChild(el('li', '', u)); });
    if (others) presenceEl.appendChild(el('li', 'muted', 'and ' + others + ' more'));
  }

  // markUnsent runs once a reconnection has replayed what was missed: a message still
  // pending then was not stored. It is still in the box, to be sent again.
  function markUnsent() {
    var lost = false;
    // Only messages sent before this connection opened: one sent since is on its way.
    Object.keys(carried).forEach(function (nonce) {
      var p = pending[nonce];
      delete carried[nonce];
      if (!p) return;
      delete pending[nonce];
      if (sending === p) lost = true;
      settle(p);
    });
    if (lost) status('Your message was not sent. It is still in the box: press Send to try again.', true);
  }

  function handle(f) {
    switch (f.type) {
      case 'message': onMessage(f); break;
      case 'deleted':
        var gone = document.getElementById('m' + f.id);
        if (gone) removeMessage(gone);
        break;
      case 'typing':
        typists[f.user] = Date.now() + 4000;
        showTyping();
        setTimeout(showTyping, 4100);
        break;
      case 'presence':
        showPresence(f.users || [], f.others || 0);
        // The server sends presence right after the replay, so replay is over.
        if (replaying) {
          replaying = false;
          markUnsent();
        }
        break;
      case 'confirm_required': if (!editReply(f)) onConfirm(f); break;
      case 'error': if (!editReply(f) && !deleteReply(f)) onError(f); break;
      case 'held': onHeld(f); break;
    }
  }

  // ---- Grouping, reading positions, inline edit and delete, moderators' delete
  // (issue 16). Kept together and apart from the functions above.
  var GROUP_MS = 5 * 60 * 1000; // chat.GroupWindow
  var staff = root.dataset.staff === '1';
  var edits = {};    // nonce -> the open editor that sent it
  var deletes = {};  // nonce -> the question that sent it
  var readTimer = 0, readSent = 0;

  // groupWithPrevious hides the author of li when the message before it is the same
  // member's, moments earlier, as the server does for the page it sends.
  function groupWithPrevious(li) {
    var prev = li.previousElementSibling;
    while (prev && prev.classList.contains('pending')) prev = prev.previousElementSibling;
    var grouped = !!prev && prev.classList.contains('chat-msg') && prev.dataset.author === li.dataset.author &&
      li.dataset.author !== 'former-member' &&
      new Date(li.dataset.at) - new Date(prev.dataset.at) < GROUP_MS;
    li.classList.toggle('grouped', grouped);
  }

  // removeMessage takes li out of the log; the message after it is grouped anew, since
  // it may now begin a group.
  function removeMessage(li) {
    var next = li.nextElementSibling;
    li.remove();
    if (next && next.classList.contains('chat-msg') && !next.classList.contains('pending')) groupWithPrevious(next);
  }

  // noteRead tells the server, a moment after messages arrive while the member is looking,
  // how far they have read, for the unread counts in the room list.
  function noteRead() {
    if (!me || document.visibilityState !== 'visible') return;
    clearTimeout(readTimer);
    readTimer = setTimeout(function () {
      if (ws && ws.readyState === 1 && lastID > readSent) {
        readSent = lastID;
        ws.send(JSON.stringify({type: 'read', id: lastID}));
      }
    }, 1500);
  }
  document.addEventListener('visibilitychange', noteRead);

  // moderatorActions gives a moderator's copy of someone else's message its Delete link,
  // which without JavaScript opens the message's review page.
  function moderatorActions(actions, f) {
    if (!staff) return;
    var del = el('a', 'chat-mod-delete danger', 'Delete');
    del.href = '/mod/review/message/' + f.id + '?next=' + encodeURIComponent('/chat/' + root.dataset.room);
    del.title = 'Delete as a moderator (recorded in the moderation log)';
    actions.appendChild(del);
    actions.appendChild(document.createTextNode(' '));
    if (f.author === 'former-member') return;
    var member = el('a', 'chat-mod-member', 'Moderate member');
    member.href = '/mod/users/' + encodeURIComponent(f.author);
    actions.appendChild(member);
    actions.appendChild(document.createTextNode(' '));
  }

  // startEdit opens an editor in place of li's text, with the message's Markdown read
  // from its edit page. Enter saves, Shift+Enter starts a new line, Escape cancels. It
  // returns false when the page is not live, so the link's edit page opens instead.
  function startEdit(li) {
    if (!ws || ws.readyState !== 1) return false;
    if (li.classList.contains('editing')) {
      var open = li.querySelector('.chat-editor textarea');
      if (open) open.focus();
      return true;
    }
    var id = li.dataset.id;
    var body = li.querySelector('.chat-body');
    var box = el('div', 'chat-editor');
    var ta = el('textarea');
    ta.setAttribute('aria-label', 'Edit your message');
    ta.rows = 2;
    ta.disabled = true;
    ta.value = 'Loading…';
    var note = el('div', 'chat-editor-note');
    note.setAttribute('role', 'status');
    var actions = el('div', 'actions');
    var save = el('button', 'small', 'Save');
    save.type = 'button';
    var cancel = el('button', 'secondary small', 'Cancel');
    cancel.type = 'button';
    actions.appendChild(save);
    actions.appendChild(cancel);
    box.appendChild(ta);
    box.appendChild(note);
    box.appendChild(actions);
    box.appendChild(el('p', 'hint', 'Enter saves · Esc cancels · Shift+Enter for a new line'));
    body.hidden = true;
    body.parentNode.insertBefore(box, body.nextSibling);
    li.classList.add('editing');
    var state = {li: li, ta: ta, note: note, source: null};

    function close() {
      box.remove();
      body.hidden = false;
      li.classList.remove('editing');
      Object.keys(edits).forEach(function (n) { if (edits[n] === state) delete edits[n]; });
      if (input) input.focus();
    }
    function send(confirm) {
      if (state.source === null) return;
      if (!ta.value.trim()) { say('Write something, or delete the message instead.', true); return; }
      if (ta.value === state.source) { close(); return; }
      if (!ws || ws.readyState !== 1) { say('Not connected. Wait a moment, then save again.', true); return; }
      var nonce = newNonce();
      edits[nonce] = state;
      var frame = {type: 'edit', id: +id, body: ta.value, nonce: nonce};
      if (confirm) frame.confirm = true;
      ws.send(JSON.stringify(frame));
      say('Saving…');
    }
    function say(text, isError) {
      note.textContent = text;
      note.className = 'chat-editor-note' + (isError ? ' error' : '');
    }
    state.close = close;
    state.say = say;
    state.confirm = function (findings) {
      note.textContent = '';
      note.className = 'chat-editor-note hold';
      note.appendChild(document.createTextNode('This looks like it contains ' + findings.join(', ') +
        '. Once saved it is public. '));
      var anyway = el('button', 'small', 'Save anyway');
      anyway.type = 'button';
      anyway.addEventListener('click', function () { send(true); });
      note.appendChild(anyway);
      anyway.focus();
    };
    save.addEventListener('click', function () { send(false); });
    cancel.addEventListener('click', close);
    ta.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { e.preventDefault(); close(); }
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(false); }
    });
    fetch(messageURL(id, 'edit'), {credentials: 'same-origin'})
      .then(function (res) { if (!res.ok) throw new Error('status ' + res.status); return res.text(); })
      .then(function (html) {
        var src = new DOMParser().parseFromString(html, 'text/html').querySelector('textarea[name="body"]');
        if (!src) throw new Error('no editor');
        state.source = src.value;
        ta.value = src.value;
        ta.disabled = false;
        ta.rows = Math.min(8, Math.max(2, src.value.split('\n').length));
        ta.focus();
        ta.setSelectionRange(ta.value.length, ta.value.length);
      })
      .catch(function () {
        close();
        location.href = messageURL(id, 'edit');
      });
    return true;
  }

  // editDone closes the editor whose change came back as the updated message.
  function editDone(f) {
    if (f.nonce && edits[f.nonce]) delete edits[f.nonce];
  }

  // editReply shows an edit's refusal or warning in its editor; false when the frame is
  // about something else.
  function editReply(f) {
    var state = f.nonce && edits[f.nonce];
    if (!state) return false;
    delete edits[f.nonce];
    if (f.type === 'confirm_required') state.confirm(f.findings || []);
    else state.say(f.message || 'The change could not be saved.', true);
    return true;
  }

  // askDelete asks in place before a message is deleted: the member's own over the
  // WebSocket, someone else's (moderators) through the moderation queue's action, which
  // records it in the moderation log. The server then tells every page to drop it.
  function askDelete(li, link, asModerator) {
    var ask = li.querySelector('.chat-ask');
    if (ask) { ask.querySelector('button').focus(); return; }
    ask = el('div', 'chat-ask');
    ask.setAttribute('role', 'group');
    ask.setAttribute('aria-label', 'Confirm deletion');
    var text = el('span', '', asModerator ?
      'Delete this message as a moderator? The moderation log records it.' :
      'Delete this message for everyone?');
    var yes = el('button', 'danger-fill small', 'Delete');
    yes.type = 'button';
    var no = el('button', 'secondary small', 'Cancel');
    no.type = 'button';
    var problem = el('span', 'error');
    problem.setAttribute('role', 'alert');
    ask.appendChild(text);
    ask.appendChild(yes);
    ask.appendChild(no);
    ask.appendChild(problem);
    li.appendChild(ask);
    yes.focus();
    no.addEventListener('click', function () { ask.remove(); });
    yes.addEventListener('click', function () {
      yes.disabled = true;
      if (!asModerator) {
        if (!ws || ws.readyState !== 1) { location.href = link.href; return; }
        var nonce = newNonce();
        deletes[nonce] = {ask: ask, problem: problem, yes: yes};
        ws.send(JSON.stringify({type: 'delete', id: +li.dataset.id, nonce: nonce}));
        return;
      }
      fetch(link.getAttribute('href'), {method: 'POST', credentials: 'same-origin',
        body: new URLSearchParams({'delete': '1', 'do': 'apply', 'reason': ''})})
        .then(function (res) {
          if (!res.ok) throw new Error('status ' + res.status);
          if (li.isConnected) removeMessage(li);
        })
        .catch(function () {
          yes.disabled = false;
          problem.textContent = 'It could not be deleted here. ';
          var open = el('a', '', 'Open its review page');
          open.href = link.href;
          problem.appendChild(open);
        });
    });
  }

  // deleteReply shows why a deletion was refused, in the question that asked for it.
  function deleteReply(f) {
    var d = f.nonce && deletes[f.nonce];
    if (!d) return false;
    delete deletes[f.nonce];
    d.yes.disabled = false;
    d.problem.textContent = f.message || 'It could not be deleted.';
    return true;
  }

  if (log) {
    log.addEventListener('click', function (e) {
      var a = e.target.closest('a.chat-edit, a.chat-delete, a.chat-mod-delete');
      if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
      var li = a.closest('.chat-msg');
      if (!li) return;
      if (a.classList.contains('chat-edit')) {
        if (startEdit(li)) e.preventDefault();
        return;
      }
      e.preventDefault();
      askDelete(li, a, a.classList.contains('chat-mod-delete'));
    });
  }

  // Up arrow in an empty message box edits the member's last message, as in other chats.
  if (input) {
    input.addEventListener('keydown', function (e) {
      if (e.key !== 'ArrowUp' || input.value !== '' || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
      var mine = log.querySelectorAll('.chat-msg:not(.pending)[data-author="' + CSS.escape(me) + '"]');
      if (!mine.length) return;
      if (startEdit(mine[mine.length - 1])) e.preventDefault();
    });
  }

  function connect() {
    var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    var sock = new WebSocket(proto + '//' + location.host + root.dataset.ws + '?after=' + lastID);
    sock.onopen = function () {
      ws = sock;
      backoff = 500;
      replaying = true;
      carried = {};
      Object.keys(pending).forEach(function (nonce) { carried[nonce] = true; });
      root.classList.add('is-live');
      status(ended, !!ended);
    };
    sock.onmessage = function (ev) {
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      handle(f);
    };
    sock.onclose = function (ev) {
      if (ws === sock) ws = null;
      // A message on its way stays pending until the replay says whether it was stored;
      // the box opens again meanwhile, so nothing typed is locked away.
      if (sending) {
        sending = null;
        busy(false);
      }
      root.classList.remove('is-live');
      if (ev.code === 1008 && ev.reason) {
        // The session ended (logged out, password changed, restricted): reconnect to read.
        ended = ev.reason;
        me = '';
      }
      status(ended || 'Connection lost. Reconnecting…', !!ended);
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 15000);
    };
  }

  if (form && input) {
    form.addEventListener('submit', function (e) {
      if (!ws || ws.readyState !== 1) return; // the plain form post still works
      e.preventDefault();
      if (sending) return;
      var body = input.value;
      if (!body.trim()) return;
      status('');
      // The box keeps the text until the server has it: busy() locks it meanwhile. Only
      // the notice's own button confirms a held message; Send asks the server again.
      send(body, false);
      held = null;
      confirmBox.hidden = true;
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
    input.addEventListener('input', function () {
      var now = Date.now();
      if (ws && ws.readyState === 1 && now - lastTyping > 2500) {
        lastTyping = now;
        ws.send('{"type":"typing"}');
      }
    });
    document.getElementById('chat-confirm-send').addEventListener('click', function () {
      if (!held || sending || !ws || ws.readyState !== 1) return;
      var body = input.value;
      if (!body.trim()) body = held.body;
      // Confirmed as it was held; a message changed since is checked again.
      var confirm = body === held.body;
      held = null;
      confirmBox.hidden = true;
      status('');
      send(body, confirm);
    });
    document.getElementById('chat-confirm-edit').addEventListener('click', function () {
      if (held && !input.value) input.value = held.body;
      held = null;
      confirmBox.hidden = true;
      if (ackActions) ackActions.hidden = false;
      input.focus();
    });
    // "I understand" records the acknowledgement without leaving the page, so whatever
    // is already typed stays in the box.
    var ackButton = document.getElementById('chat-ack-button');
    if (ackButton) {
      ackButton.addEventListener('click', function (e) {
        if (!window.fetch) return; // the button then posts the form, text and all
        e.preventDefault();
        fetch(ackButton.formAction, {method: 'POST', body: new URLSearchParams(), credentials: 'same-origin', redirect: 'manual'})
          .then(function (res) {
            if (!res.ok && res.type !== 'opaqueredirect') throw new Error('status ' + res.status);
            ackDone();
            input.focus();
          })
          .catch(function () {
            status('Your acknowledgement was not recorded. Check your connection and try again.', true);
          });
      });
    }
  }
  connect();
})();
