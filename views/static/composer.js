// Stoa composer: a formatting toolbar, a live preview that the server renders through the
// same pipeline a post is stored with, and a draft kept in this browser while you type.
// Without this script the form is a plain textarea and posts just the same.
(function () {
  'use strict';
  var DRAFT = 'stoa:draft:';     // localStorage: one draft per form, never sent anywhere
  var POSTING = 'stoa:posting';  // sessionStorage: the form just submitted
  var PREVIEW = 'stoa:preview';  // localStorage: whether the member keeps the preview open
  var DRAFT_DAYS = 30;

  function store(kind) {
    try { return kind === 'session' ? window.sessionStorage : window.localStorage; } catch (e) { return null; }
  }
  function get(kind, key) {
    var s = store(kind);
    try { return s ? s.getItem(key) : null; } catch (e) { return null; }
  }
  function put(kind, key, value) {
    var s = store(kind);
    try { if (s) { if (value === null) s.removeItem(key); else s.setItem(key, value); } } catch (e) { /* full or refused */ }
  }
  function loadDraft(key) {
    try { return JSON.parse(get('local', DRAFT + key) || 'null'); } catch (e) { return null; }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  // settle runs once per page: if the page before it submitted a composer, the draft of
  // that composer is cleared unless the submission came back refused (the same form
  // marked data-refused, or an error page), so a post that did not go through keeps it.
  function settle() {
    var key = get('session', POSTING);
    if (!key) return;
    put('session', POSTING, null);
    var refused = document.querySelector('[data-error-page]');
    Array.prototype.forEach.call(document.querySelectorAll('form[data-composer][data-refused]'), function (f) {
      if (f.dataset.draftKey === key) refused = f;
    });
    if (!refused) put('local', DRAFT + key, null);
  }

  // forgetOld drops drafts nobody came back to.
  function forgetOld() {
    var s = store('local');
    if (!s) return;
    var cutoff = Date.now() - DRAFT_DAYS * 864e5;
    try {
      for (var i = s.length - 1; i >= 0; i--) {
        var k = s.key(i);
        if (k && k.indexOf(DRAFT) === 0) {
          var d = loadDraft(k.slice(DRAFT.length));
          if (!d || !d.at || d.at < cutoff) s.removeItem(k);
        }
      }
    } catch (e) { /* storage refused */ }
  }

  // edit replaces the selection of ta with what make returns for it, keeping the undo
  // history where the browser allows, and selects the part named by make's result.
  function edit(ta, make) {
    var start = ta.selectionStart, end = ta.selectionEnd;
    var sel = ta.value.slice(start, end);
    var out = make(sel, ta.value.slice(0, start));
    ta.focus();
    ta.setSelectionRange(start, end);
    var ok = false;
    try { ok = document.execCommand('insertText', false, out.text); } catch (e) { ok = false; }
    if (!ok || ta.value.slice(start, start + out.text.length) !== out.text) {
      ta.setRangeText(out.text, start, end, 'end');
      ta.dispatchEvent(new Event('input', {bubbles: true}));
    }
    ta.setSelectionRange(start + out.from, start + out.to);
  }

  function wrap(before, after, placeholder) {
    return function (sel) {
      var inner = sel || placeholder;
      return {text: before + inner + after, from: before.length, to: before.length + inner.length};
    };
  }

  // lines prefixes every selected line, starting a new line first when the selection
  // begins mid-line.
  function lines(prefix, placeholder) {
    return function (sel, textBefore) {
      var lead = textBefore && !/\n$/.test(textBefore) ? '\n' : '';
      var body = (sel || placeholder).split('\n').map(function (l) { return prefix + l; }).join('\n');
      return {text: lead + body, from: lead.length + prefix.length, to: lead.length + body.length};
    };
  }

  var ACTIONS = [
    {name: 'bold', label: 'Bold', key: 'b', glyph: 'B', make: wrap('**', '**', 'bold text')},
    {name: 'italic', label: 'Italic', key: 'i', glyph: 'I', make: wrap('_', '_', 'italic text')},
    {name: 'link', label: 'Link', key: 'k', glyph: 'Link', make: function (sel) {
      var text = sel || 'link text', url = 'https://';
      return {text: '[' + text + '](' + url + ')', from: text.length + 3, to: text.length + 3 + url.length};
    }},
    {name: 'quote', label: 'Quote', glyph: '“ ”', make: lines('> ', 'quoted text')},
    {name: 'code', label: 'Code', glyph: '</>', make: function (sel, before) {
      if (sel.indexOf('\n') < 0) return wrap('`', '`', 'code')(sel);
      var lead = before && !/\n$/.test(before) ? '\n' : '';
      return {text: lead + '```\n' + sel + '\n```\n', from: lead.length + 4, to: lead.length + 4 + sel.length};
    }},
    {name: 'list', label: 'Bulleted list', glyph: '• List', make: lines('- ', 'item')}
  ];

  function enhance(form) {
    var ta = form.querySelector('textarea[name="body"]');
    if (!ta) return;
    var title = form.querySelector('input[name="title"]');
    var key = form.dataset.draftKey || form.getAttribute('action');
    var refused = form.hasAttribute('data-refused');

    // The toolbar sits between the label and the textarea.
    var bar = el('div', 'composer-bar');
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Formatting');
    bar.setAttribute('aria-controls', ta.id);
    ACTIONS.forEach(function (a) {
      var b = el('button', 'composer-tool tool-' + a.name, a.glyph);
      b.type = 'button';
      b.title = a.label + (a.key ? ' (Ctrl+' + a.key.toUpperCase() + ')' : '');
      b.setAttribute('aria-label', a.label);
      b.addEventListener('click', function () { edit(ta, a.make); });
      bar.appendChild(b);
    });
    var toggle = el('button', 'composer-tool composer-preview-toggle', 'Preview');
    toggle.type = 'button';
    bar.appendChild(toggle);
    ta.parentNode.insertBefore(bar, ta);

    ta.addEventListener('keydown', function (e) {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      ACTIONS.forEach(function (a) {
        if (a.key && e.key.toLowerCase() === a.key) {
          e.preventDefault();
          edit(ta, a.make);
        }
      });
    });

    // The preview, rendered by the server as the member types.
    var pane = el('div', 'composer-preview');
    pane.hidden = true;
    var paneHead = el('p', 'composer-preview-head', 'Preview: exactly what will be published');
    var paneBody = el('div', 'prose composer-preview-body');
    paneBody.setAttribute('aria-live', 'polite');
    var paneNote = el('p', 'composer-preview-note');
    paneNote.hidden = true;
    pane.appendChild(paneHead);
    pane.appendChild(paneBody);
    pane.appendChild(paneNote);
    var field = ta.closest('.field') || ta.parentNode;
    field.parentNode.insertBefore(pane, field.nextSibling);

    var timer = 0, inFlight = false, again = false, shown = '';
    function refresh() {
      if (pane.hidden) return;
      if (inFlight) { again = true; return; }
      var text = ta.value;
      if (text === shown) return;
      if (!text.trim()) {
        shown = text;
        paneBody.textContent = '';
        paneBody.appendChild(el('p', 'muted', 'Nothing to preview yet.'));
        paneNote.hidden = true;
        return;
      }
      inFlight = true;
      fetch('/preview', {method: 'POST', credentials: 'same-origin', headers: {'Accept': 'application/json'},
        body: new URLSearchParams({body: text})})
        .then(function (res) { return res.json().then(function (j) { return {ok: res.ok, j: j}; }); })
        .then(function (r) {
          if (!r.ok) {
            paneNote.textContent = r.j.error || 'The preview could not be updated.';
            paneNote.className = 'composer-preview-note error';
            paneNote.hidden = false;
            return;
          }
          shown = text;
          // Sanitised by the server's one policy, exactly as it is stored when posted.
          paneBody.innerHTML = r.j.html;
          if (r.j.findings && r.j.findings.length) {
            paneNote.textContent = 'When you post, you will be asked to confirm: this looks like it contains ' +
              r.j.findings.join(', ') + ', and everything here is public.';
            paneNote.className = 'composer-preview-note warn';
            paneNote.hidden = false;
          } else {
            paneNote.hidden = true;
          }
        })
        .catch(function () {
          paneNote.textContent = 'The preview could not be updated. What you wrote is safe; it is kept in this browser.';
          paneNote.className = 'composer-preview-note error';
          paneNote.hidden = false;
        })
        .then(function () {
          inFlight = false;
          if (again) { again = false; schedule(); }
        });
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 700);
    }
    function setPreview(on, remember) {
      pane.hidden = !on;
      toggle.setAttribute('aria-pressed', on ? 'true' : 'false');
      form.classList.toggle('previewing', on);
      if (remember) put('local', PREVIEW, on ? '1' : '0');
      if (on) { shown = null; refresh(); }
    }
    toggle.addEventListener('click', function () { setPreview(pane.hidden, true); });
    var pref = get('local', PREVIEW);
    setPreview(pref === null ? window.matchMedia('(min-width: 900px)').matches : pref === '1', false);

    // The draft: kept in this browser only, cleared once the post is published.
    var note = el('p', 'hint composer-draft');
    note.setAttribute('role', 'status');
    field.parentNode.insertBefore(note, pane);
    function say(text, action, run) {
      note.textContent = text;
      if (action) {
        note.appendChild(document.createTextNode(' '));
        var b = el('button', 'link', action);
        b.type = 'button';
        b.addEventListener('click', run);
        note.appendChild(b);
      }
    }
    var saveTimer = 0;
    function save() {
      clearTimeout(saveTimer);
      var d = {body: ta.value, title: title ? title.value : '', at: Date.now()};
      if (!d.body.trim() && !d.title.trim()) {
        put('local', DRAFT + key, null);
        say('Drafts are kept in this browser only, never sent until you post.');
        return;
      }
      put('local', DRAFT + key, JSON.stringify(d));
      say('Draft kept in this browser only.', 'Discard draft', discard);
    }
    function discard() {
      put('local', DRAFT + key, null);
      ta.value = '';
      if (title) title.value = '';
      ta.dispatchEvent(new Event('input', {bubbles: true}));
      say('Draft discarded.');
      ta.focus();
    }
    function restore(d) {
      ta.value = d.body || '';
      if (title && d.title) title.value = d.title;
      say('Restored your draft, kept in this browser only.', 'Discard draft', discard);
      schedule();
    }
    var draft = loadDraft(key);
    var server = {body: ta.value, title: title ? title.value : ''};
    if (draft && !refused && (draft.body !== server.body || (title && draft.title !== server.title))) {
      if (!server.body.trim() && !server.title.trim()) {
        restore(draft);
      } else {
        say('You have an unsent draft for this form in this browser.', 'Restore it', function () { restore(draft); });
      }
    } else {
      say('Drafts are kept in this browser only, never sent until you post.');
    }
    function onInput() {
      schedule();
      clearTimeout(saveTimer);
      saveTimer = setTimeout(save, 400);
    }
    ta.addEventListener('input', onInput);
    if (title) title.addEventListener('input', onInput);
    form.addEventListener('submit', function () {
      if (ta.value.trim()) save();
      put('session', POSTING, key);
    });
  }

  settle();
  forgetOld();
  Array.prototype.forEach.call(document.querySelectorAll('form[data-composer]'), enhance);
})();
