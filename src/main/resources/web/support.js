// The support page's script (GET /support.js, route forms-support-script): a file of its own, not
// inline, so the page's Content-Security-Policy can refuse every inline script. Whatever the server
// sends is put into the page as text (textContent), never as HTML.
(function () {
  'use strict';

  var ENDPOINT = '/forms/support';
  var TIMEOUT_MS = 30000;
  var FIELDS = ['name', 'email', 'subject', 'message', 'orderNumber'];
  var LABELS = {
    name: 'Your name',
    email: 'Email address',
    subject: 'Subject',
    message: 'Message',
    orderNumber: 'Order number'
  };
  var MESSAGES = {
    name: { valueMissing: 'Enter your name', tooLong: 'Your name must be 200 characters or fewer' },
    email: {
      valueMissing: 'Enter your email address',
      typeMismatch: 'Enter an email address in the form name@example.com',
      tooLong: 'Your email address must be 254 characters or fewer'
    },
    subject: { valueMissing: 'Enter a subject', tooLong: 'The subject must be 200 characters or fewer' },
    message: { valueMissing: 'Enter your message', tooLong: 'Your message must be 10,000 characters or fewer' },
    orderNumber: {
      patternMismatch: 'The order number can only contain letters, digits and dashes',
      tooLong: 'The order number must be 40 characters or fewer'
    }
  };

  var form = document.getElementById('support-form');
  var button = form.querySelector('button[type="submit"]');
  var buttonLabel = button.textContent;
  var summary = document.getElementById('error-summary');
  var summaryMessage = document.getElementById('error-summary-message');
  var summaryList = document.getElementById('error-summary-list');
  var status = document.getElementById('form-status');
  var statusPanel = document.getElementById('status-check');
  var statusRequest = 0;
  var messageCount = document.getElementById('message-count');
  var inFlight = false;

  // With JavaScript running we show our own messages; without it the browser's own validation still applies.
  form.noValidate = true;

  function input(field) {
    return document.getElementById(field);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function baseDescribedBy(control) {
    if (!control.hasAttribute('data-hint')) {
      control.setAttribute('data-hint', control.getAttribute('aria-describedby') || '');
    }
    return control.getAttribute('data-hint');
  }

  function setFieldError(field, message) {
    var control = input(field);
    var error = document.getElementById(field + '-error');
    var hint = baseDescribedBy(control);
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', (field + '-error ' + hint).trim());
    error.textContent = message;
    error.hidden = false;
    control.closest('.field').classList.add('invalid');
  }

  function clearFieldError(field) {
    var control = input(field);
    var error = document.getElementById(field + '-error');
    control.removeAttribute('aria-invalid');
    control.setAttribute('aria-describedby', baseDescribedBy(control));
    error.textContent = '';
    error.hidden = true;
    control.closest('.field').classList.remove('invalid');
  }

  function clearSummary() {
    summary.hidden = true;
    summaryMessage.textContent = '';
    summaryMessage.hidden = true;
    while (summaryList.firstChild) { summaryList.removeChild(summaryList.firstChild); }
  }

  function clearAll() {
    FIELDS.forEach(clearFieldError);
    clearSummary();
    status.className = 'status';
    status.textContent = '';
    clearTicketStatus();
  }

  // errors: [{field, message}] where field may be unknown to this page (then it is listed without a link).
  function showErrors(errors, message) {
    clearSummary();
    var seen = {};
    errors.forEach(function (error) {
      var field = error && typeof error.field === 'string' ? error.field : '';
      var known = FIELDS.indexOf(field) !== -1;
      var text = error && error.message ? String(error.message) : 'is not valid';
      // The server answers with fragments such as "is required": put the field's name in front.
      if (/^[a-z]/.test(text)) { text = (known ? LABELS[field] : field || 'This value') + ' ' + text; }
      var item = el('li');
      if (known) {
        if (!seen[field]) {
          setFieldError(field, text);
          seen[field] = true;
        } else {
          var inline = document.getElementById(field + '-error');
          inline.textContent = inline.textContent + '. ' + text;
        }
        var link = el('a', null, text);
        link.href = '#' + field;
        link.setAttribute('data-field', field);
        item.appendChild(link);
      } else {
        item.textContent = text;
      }
      summaryList.appendChild(item);
    });
    if (message) {
      summaryMessage.textContent = message;
      summaryMessage.hidden = false;
    }
    summary.hidden = false;
    summary.focus();
  }

  function clientErrors() {
    var errors = [];
    FIELDS.forEach(function (field) {
      var control = input(field);
      // "required" accepts a value of only spaces; the server does not.
      if (control.required && control.value.trim() === '' && control.value !== '') {
        control.setCustomValidity(MESSAGES[field].valueMissing);
      } else {
        control.setCustomValidity('');
      }
      if (!control.checkValidity()) {
        var v = control.validity;
        var messages = MESSAGES[field] || {};
        var text = v.customError ? control.validationMessage
          : v.valueMissing ? messages.valueMissing
          : v.typeMismatch ? messages.typeMismatch
          : v.patternMismatch ? messages.patternMismatch
          : v.tooLong ? messages.tooLong
          : null;
        errors.push({ field: field, message: text || (LABELS[field] + ': ' + control.validationMessage) });
      }
    });
    return errors;
  }

  function setBusy(busy) {
    inFlight = busy;
    button.disabled = busy;
    button.textContent = busy ? 'Sending\u2026' : buttonLabel;
    if (busy) { form.setAttribute('aria-busy', 'true'); } else { form.removeAttribute('aria-busy'); }
  }

  function showSuccess(ticketId, statusUrl) {
    status.className = 'status success';
    status.textContent = '';
    var p = el('p');
    p.appendChild(document.createTextNode('Thank you \u2014 your ticket id is '));
    var code = el('code', null, ticketId);
    code.id = 'ticket-id';
    p.appendChild(code);
    p.appendChild(document.createTextNode('. We will reply by email.'));
    status.appendChild(p);

    var path = statusPath(statusUrl);
    if (!path) { return; }
    var line = el('p');
    line.appendChild(document.createTextNode('Keep this link to follow your ticket: '));
    var link = el('a', null, 'your ticket\u2019s status');
    link.id = 'status-link';
    link.href = path;
    line.appendChild(link);
    line.appendChild(document.createTextNode('. Anyone who has the link can read the ticket, so keep it to yourself.'));
    status.appendChild(line);
    var check = el('button', 'secondary', 'Check status');
    check.type = 'button';
    check.id = 'check-status';
    check.addEventListener('click', function () { checkStatus(path, check); });
    var actions = el('p');
    actions.appendChild(check);
    status.appendChild(actions);
  }

  // The status URL carries the ticket's token; only a /tickets/ path on this origin becomes a link.
  function statusPath(statusUrl) {
    if (typeof statusUrl !== 'string') { return null; }
    var url;
    try {
      url = new URL(statusUrl, window.location.href);
    } catch (e) {
      return null;
    }
    if (url.origin !== window.location.origin || url.pathname.indexOf('/tickets/') !== 0) { return null; }
    return url.pathname + url.search;
  }

  function clearTicketStatus() {
    statusRequest++;
    statusPanel.className = 'status';
    statusPanel.textContent = '';
  }

  // rows: [[label, value]] shown as a list of terms; text: a sentence instead.
  function showTicketStatus(kind, title, rows, text) {
    statusPanel.className = 'status ' + kind;
    statusPanel.textContent = '';
    statusPanel.appendChild(el('strong', 'title', title));
    if (text) { statusPanel.appendChild(el('p', null, text)); }
    if (rows.length > 0) {
      var list = el('dl', 'ticket-details');
      rows.forEach(function (row) {
        if (row[1] === undefined || row[1] === null || row[1] === '') { return; }
        list.appendChild(el('dt', null, row[0]));
        var value = el('dd', null, row[1]);
        value.id = 'ticket-' + row[0].toLowerCase();
        list.appendChild(value);
      });
      statusPanel.appendChild(list);
    }
  }

  function checkStatus(path, trigger) {
    // a later check, or a new submit, makes this answer stale
    var request = ++statusRequest;
    trigger.disabled = true;
    showTicketStatus('info', 'Checking the status of your ticket\u2026', [], null);
    fetch(path, {
      headers: { 'Accept': 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store'
    }).then(function (response) {
      return readJson(response).then(function (data) {
        if (request !== statusRequest) { return; }
        if (response.status === 200) {
          showTicketStatus('success', 'Your ticket has been ' + (data.status || 'processed'),
            [['Status', data.status], ['Category', data.category], ['Priority', data.priority], ['Reply', data.reply]], null);
        } else if (response.status === 404) {
          showTicketStatus('info', 'Your ticket is still queued', [],
            'We have your message; it has not been looked at yet. Check again in a moment.');
        } else {
          showTicketStatus('failure', 'We could not check the status of your ticket.', [],
            'The server answered with HTTP status ' + response.status + '. Try again in a moment.');
        }
      });
    }, function () {
      if (request !== statusRequest) { return; }
      showTicketStatus('failure', 'We could not reach our servers.', [], 'Check your internet connection and try again.');
    }).then(function () {
      trigger.disabled = false;
    });
  }

  function showFailure(title, message, correlationId) {
    status.className = 'status failure';
    status.textContent = '';
    status.appendChild(el('strong', 'title', title));
    if (message) { status.appendChild(el('p', null, message)); }
    if (correlationId) {
      var ref = el('p');
      ref.appendChild(document.createTextNode('Reference: '));
      var code = el('code', null, correlationId);
      code.id = 'correlation-id';
      ref.appendChild(code);
      ref.appendChild(document.createTextNode(' \u2014 quote this reference if you contact us.'));
      status.appendChild(ref);
    }
  }

  function payload() {
    var body = {
      name: input('name').value,
      email: input('email').value.trim(),
      subject: input('subject').value,
      message: input('message').value
    };
    var orderNumber = input('orderNumber').value.trim();
    if (orderNumber !== '') { body.orderNumber = orderNumber; }
    return body;
  }

  function readJson(response) {
    return response.text().then(function (text) {
      if (!text) { return {}; }
      try {
        var data = JSON.parse(text);
        return data && typeof data === 'object' ? data : {};
      } catch (e) {
        return {};
      }
    });
  }

  function handle(response, data) {
    var s = response.status;
    if (s === 202 || (s >= 200 && s < 300 && data.ticketId)) {
      form.reset();
      updateCount();
      showSuccess(data.ticketId || '(not given)', data.statusUrl);
      return;
    }
    if (s === 422) {
      var fields = Array.isArray(data.fields) ? data.fields : [];
      var message = data.message || 'Some fields are missing or invalid.';
      if (fields.length === 0) {
        showErrors([], message);
      } else {
        showErrors(fields, fields.some(function (f) { return FIELDS.indexOf(f && f.field) === -1; }) ? message : null);
      }
      return;
    }
    var title = s >= 500
      ? 'Sorry, something went wrong on our side and your message was not sent.'
      : 'Sorry, your message could not be sent.';
    var text = data.message ? String(data.message) : 'The server answered with HTTP status ' + s + '.';
    showFailure(title, text + ' Your message is still in the form, so you can try again.', data.correlationId);
  }

  function submit(event) {
    event.preventDefault();
    if (inFlight) { return; }
    clearAll();

    var errors = clientErrors();
    if (errors.length > 0) {
      showErrors(errors, null);
      return;
    }

    setBusy(true);
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;

    fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify(payload()),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return readJson(response).then(function (data) { handle(response, data); });
    }, function (error) {
      var timedOut = error && error.name === 'AbortError';
      showFailure(
        timedOut ? 'We did not hear back from our servers in time.' : 'We could not reach our servers.',
        (timedOut
          ? 'Your message may not have been sent. '
          : 'Check your internet connection and try again. ') +
          'Your message is still in the form, so nothing is lost.',
        null);
    }).then(function () {
      if (timer) { clearTimeout(timer); }
      setBusy(false);
    });
  }

  function updateCount() {
    messageCount.textContent = input('message').value.length.toLocaleString('en');
  }

  form.addEventListener('submit', submit);

  // Links in the error summary move focus to the field (and scroll its label into view).
  summaryList.addEventListener('click', function (event) {
    var link = event.target.closest('a[data-field]');
    if (!link) { return; }
    event.preventDefault();
    var control = input(link.getAttribute('data-field'));
    var label = form.querySelector('label[for="' + control.id + '"]');
    (label || control).scrollIntoView({ block: 'start' });
    control.focus({ preventScroll: true });
  });

  // Once the user edits a field that was marked invalid, drop its message if the browser now accepts it.
  form.addEventListener('input', function (event) {
    var control = event.target;
    if (control.id === 'message') { updateCount(); }
    if (FIELDS.indexOf(control.id) === -1 || control.getAttribute('aria-invalid') !== 'true') { return; }
    control.setCustomValidity('');
    if (!control.checkValidity()) { return; }
    clearFieldError(control.id);
    Array.prototype.slice.call(summaryList.querySelectorAll('a[data-field="' + control.id + '"]'))
      .forEach(function (link) { summaryList.removeChild(link.parentNode); });
    if (!summaryList.firstChild && summaryMessage.hidden) { clearSummary(); }
  });

  updateCount();
})();
