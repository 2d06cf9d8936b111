// Stoa moderation keys: on the queue, j and k move between items, x ticks the current
// one for a bulk action and o (or Enter) opens it; on an item's review page, a applies
// the action form as chosen, and the server moves on to the next item of the queue.
// Without this script every part of the queue works with links, buttons and checkboxes.
(function () {
  'use strict';

  // typing reports whether a key press belongs to a field, not to the shortcuts.
  function typing(e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return true;
    if (!t || !t.tagName) return false;
    var tag = t.tagName.toLowerCase();
    if (tag === 'textarea' || tag === 'select' || t.isContentEditable) return true;
    if (tag === 'input') {
      var type = (t.getAttribute('type') || 'text').toLowerCase();
      return type !== 'checkbox' && type !== 'radio';
    }
    return false;
  }

  function queue(root) {
    var items = Array.prototype.slice.call(root.querySelectorAll('.mod-item'));
    if (!items.length) return;
    var current = -1;
    items.forEach(function (it) { it.setAttribute('tabindex', '-1'); });

    function select(i) {
      if (i < 0 || i >= items.length) return;
      if (current >= 0) {
        items[current].classList.remove('is-current');
        items[current].removeAttribute('aria-current');
      }
      current = i;
      var it = items[i];
      it.classList.add('is-current');
      it.setAttribute('aria-current', 'true');
      it.focus({ preventScroll: true });
      it.scrollIntoView({ block: 'nearest' });
    }

    document.addEventListener('keydown', function (e) {
      if (typing(e)) return;
      var it = current >= 0 ? items[current] : null;
      switch (e.key) {
        case 'j':
          select(current + 1);
          break;
        case 'k':
          select(current < 0 ? 0 : current - 1);
          break;
        case 'x':
          if (!it) return;
          var box = it.querySelector('input[name=item]');
          if (box) box.checked = !box.checked;
          break;
        case 'o':
        case 'Enter':
          if (!it || (e.key === 'Enter' && e.target !== it)) return;
          window.location.href = it.getAttribute('data-review');
          break;
        default:
          return;
      }
      e.preventDefault();
    });
  }

  function review(form) {
    document.addEventListener('keydown', function (e) {
      if (typing(e) || e.key !== 'a') return;
      e.preventDefault();
      var apply = form.querySelector('button[type=submit]');
      if (form.requestSubmit) form.requestSubmit(apply); else form.submit();
    });
  }

  // The keys are explained only where they work: with this script.
  Array.prototype.forEach.call(document.querySelectorAll('.mod-keys'), function (p) { p.removeAttribute('hidden'); });

  var root = document.querySelector('[data-queue]');
  if (root) queue(root);
  var form = document.querySelector('form.mod-actions[data-keys]');
  if (form) review(form);
})();
