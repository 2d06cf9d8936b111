// Stoa chat: makes a room page live over a WebSocket. No framework and nothing from
// another site; without this script the page still reads and posts through plain forms.
(function () {
  'use strict';
  var root = document.getElementById('chat');
  if (!root) return;
  var log = document.getElementById('chat-log');
  if (log) log.scrollTop = log.scrollHeight;
  if (!root.dataset.live || !window.WebSocket || !window.JSON) return;

  var room = root.dataset.room;
  var me = root.dataset.me || '';
  var lastID = parseInt(root.dataset.last, 10) || 0;
  var form = document.getElementById('chat-form');
  var input = form ? form.querySelector('textarea[name="body"]') : null;
  var statusEl = document.getElementById('chat-status');
  var typingEl = document.getElementById('chat-typing');
  var presenceEl = document.getElementById('chat-presence');
  var confirmBox = document.getElementById('chat-confirm');
  var confirmText = document.getElementById('chat-confirm-text');
  var ws = null;
  var backoff = 500;
  var replaying = false;
  var pending = {};   // nonce -> {body, el}: sent, not yet acknowledged
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
    var firstPending = log.querySelector('.chat-msg.pending');
    log.insertBefore(node, node.classList.contains('pending') ? null : firstPending);
    if (stick) log.scrollTop = log.scrollHeight;
  }

  function messageURL(id, action) {
    return '/chat/' + room + '/messages/' + id + '/' + action;
  }

  // render builds a message like the server's own markup (views/chat.templ). html is the
  // server's stored, sanitised HTML.
  function render(f) {
    var li = el('li', 'chat-msg');
    li.id = 'm' + f.id;
    li.dataset.id = f.id;
    li.dataset.author = f.author;
    var head = el('div', 'chat-msg-head');
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
    var at = new Date(f.at);
    time.dateTime = f.at;
    time.title = at.toLocaleString();
    time.textContent = at.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
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
        var edit = el('a', '', 'Edit');
        edit.href = messageURL(f.id, 'edit');
        actions.appendChild(edit);
        actions.appendChild(document.createTextNode(' '));
        var del = el('form', 'inline');
        del.method = 'post';
        del.action = messageURL(f.id, 'delete');
        var btn = el('button', 'link danger', 'Delete');
        btn.type = 'submit';
        del.appendChild(btn);
        actions.appendChild(del);
      } else {
        var report = el('a', '', 'Report');
        report.href = '/report?message=' + f.id;
        actions.appendChild(report);
      }
      li.appendChild(actions);
    }
    return li;
  }

  function onMessage(f) {
    var p = f.nonce && pending[f.nonce];
    if (p) {
      delete pending[f.nonce];
      p.el.remove();
    }
    var old = document.getElementById('m' + f.id);
    if (old) {
      old.replaceWith(render(f));
    } else if (!f.edited) {
      append(render(f));
    }
    if (f.id > lastID) lastID = f.id;
    if (typists[f.author]) {
      delete typists[f.author];
      showTyping();
    }
  }

  function addPending(nonce, body) {
    var li = el('li', 'chat-msg pending');
    li.appendChild(el('div', 'chat-msg-head muted', me + ' · sending…'));
    li.appendChild(el('div', 'prose chat-body', body));
    pending[nonce] = {body: body, el: li};
    append(li);
    log.scrollTop = log.scrollHeight;
  }

  function send(body, confirm) {
    var nonce = newNonce();
    var frame = {type: 'send', body: body, nonce: nonce};
    if (confirm) frame.confirm = true;
    ws.send(JSON.stringify(frame));
    addPending(nonce, body);
  }

  function takePending(nonce) {
    var p = nonce && pending[nonce];
    if (!p) return null;
    delete pending[nonce];
    p.el.remove();
    return p;
  }

  function onConfirm(f) {
    var p = takePending(f.nonce);
    if (!p) return;
    held = {body: p.body, findings: f.findings};
    var text = [];
    var others = f.findings.filter(function (x) { return x !== 'public room'; });
    if (f.findings.indexOf('public room') >= 0) {
      text.push('This is your first message in this room. Everything written here is public: anyone can read it, and it may be recorded, archived and republished by anyone.');
    }
    if (others.length) {
      text.push('This looks like it contains ' + others.join(', ') + '. Once sent it is public. Edit it out, or send anyway.');
    }
    confirmText.textContent = text.join(' ');
    confirmBox.hidden = false;
    document.getElementById('chat-confirm-send').focus();
  }

  function onError(f) {
    var p = takePending(f.nonce);
    if (p && input && !input.value) input.value = p.body;
    status(f.message, true);
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
  // pending then was not stored, and the member decides whether to send it again.
  function markUnsent() {
    // Only messages sent before this connection opened: one sent since is on its way.
    Object.keys(carried).forEach(function (nonce) {
      var p = pending[nonce];
      delete carried[nonce];
      if (!p) return;
      delete pending[nonce];
      p.el.classList.add('failed');
      p.el.firstChild.textContent = 'Not sent. ';
      var retry = el('button', 'link', 'Send again');
      retry.type = 'button';
      retry.addEventListener('click', function () {
        p.el.remove();
        if (ws && ws.readyState === 1) send(p.body, false);
      });
      p.el.firstChild.appendChild(retry);
    });
  }

  function handle(f) {
    switch (f.type) {
      case 'message': onMessage(f); break;
      case 'deleted':
        var gone = document.getElementById('m' + f.id);
        if (gone) gone.remove();
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
      case 'confirm_required': onConfirm(f); break;
      case 'error': onError(f); break;
    }
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
      var body = input.value;
      if (!body.trim()) return;
      status('');
      confirmBox.hidden = true;
      send(body, false);
      input.value = '';
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
      if (!held || !ws || ws.readyState !== 1) return;
      var body = held.body;
      if (held.findings.indexOf('public room') >= 0) {
        // Acknowledged: the warning becomes the persistent line above the input.
        var ack = document.getElementById('chat-ack');
        if (ack) {
          var button = ack.querySelector('form');
          if (button) button.remove();
          ack.className = 'chat-line';
        }
      }
      held = null;
      confirmBox.hidden = true;
      send(body, true);
    });
    document.getElementById('chat-confirm-edit').addEventListener('click', function () {
      if (held) input.value = held.body;
      held = null;
      confirmBox.hidden = true;
      input.focus();
    });
  }
  connect();
})();
