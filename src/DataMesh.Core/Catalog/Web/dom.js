// Small DOM and formatting helpers. Text always goes in as text (textContent), never as markup, so nothing the
// catalog holds can inject HTML or script.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      element.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

/** An HTML element: h('a', { href: '#/' }, 'text', child, [more]). */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** An SVG element, same shape as h. */
export function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** The hash link of a product's page (or one of its views). */
export function productHref(id, view) {
  return `#/products/${encodeURIComponent(id)}${view ? `/${view}` : ''}`;
}

const numberFormat = new Intl.NumberFormat('en-US');
const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

export function formatNumber(value) {
  return value === null || value === undefined ? '–' : numberFormat.format(value);
}

/** A timestamp as readable UTC text in a <time> element carrying the ISO value. */
export function time(value) {
  if (!value) {
    return h('span', { class: 'muted' }, '–');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 2) {
    return h('span', { class: 'muted' }, '–');
  }
  return h('time', { datetime: date.toISOString(), title: date.toISOString() }, `${dateFormat.format(date)} UTC`);
}

/** An ISO 8601 duration (PT24H, P1D, PT30M) in words. */
export function formatDuration(iso) {
  if (!iso) {
    return '–';
  }
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!match) {
    return iso;
  }
  const units = [['day', match[1]], ['hour', match[2]], ['minute', match[3]], ['second', match[4]]];
  const parts = units.filter(([, n]) => n && Number(n) > 0).map(([unit, n]) => `${n} ${unit}${Number(n) === 1 ? '' : 's'}`);
  return parts.length ? parts.join(' ') : iso;
}

/** A coloured label; kind picks the colour (ok, bad, warn, info, neutral, pii...). Text is always shown too. */
export function badge(text, kind = 'neutral', title = undefined) {
  return h('span', { class: ['badge', `badge-${kind}`], title }, text);
}

const classificationKinds = { pii: 'pii', restricted: 'restricted', confidential: 'restricted', internal: 'info', public: 'ok' };

export function classificationBadge(classification) {
  return classification ? badge(classification, classificationKinds[classification.toLowerCase()] || 'neutral') : h('span', { class: 'muted' }, '–');
}

export function freshnessBadge(status) {
  switch (status) {
    case 'fresh': return badge('Fresh', 'ok', 'The newest release is within the freshness SLA.');
    case 'stale': return badge('Stale', 'bad', 'The newest release is older than the freshness SLA.');
    default: return badge('No SLA', 'neutral', 'The product declares no freshness SLA.');
  }
}

export function runStatusBadge(status) {
  switch (status) {
    case 'Published': return badge('Published', 'ok');
    case 'QualityFailed': return badge('Quality failed', 'warn');
    case 'Failed': return badge('Failed', 'bad');
    // Stopped on purpose (Ctrl+C, `runs cancel`, the operator route): not a failure of the data or the product.
    case 'Cancelled': return badge('Cancelled', 'cancelled', 'Cancelled on purpose: nothing published, its landing input kept');
    default: return badge(status || 'unknown', 'neutral');
  }
}

/** A table with a caption, column headers and rows of cells (each a node or text). */
export function table(caption, headers, rows, options = {}) {
  return h('div', { class: 'table-wrap', tabindex: options.scrollable ? '0' : null, role: options.scrollable ? 'region' : null, 'aria-label': options.scrollable ? caption : null },
    h('table', { class: options.className },
      h('caption', { class: options.hideCaption ? 'visually-hidden' : null }, caption),
      h('thead', null, h('tr', null, headers.map((header) => h('th', { scope: 'col' }, header)))),
      h('tbody', null, rows.map((cells) => h('tr', cells.attributes || null, (cells.cells || cells).map((cell, i) => (i === 0 && options.rowHeaders
        ? h('th', { scope: 'row' }, cell)
        : h('td', null, cell))))))));
}

/** A quality rule's measurement in words: "3 row(s) failing", "measured 12 percent". */
export function describeMeasurement(rule) {
  if (rule.metric === 'sql' || rule.metric === 'rowCount' || rule.unit === 'percent') {
    return `measured ${formatNumber(rule.measured)}${rule.unit && rule.unit !== 'rows' ? ` ${rule.unit}` : ''}`;
  }
  return `${formatNumber(rule.failedRows)} row(s) failing`;
}

/** Why a rule failed, in one line: "no_negative_stock (error): measured 2, expected = 0". */
export function describeRuleFailure(rule) {
  const target = rule.property ? ` on ${rule.property}` : '';
  return `${rule.name}${target} (${rule.severity}): ${describeMeasurement(rule)}, expected ${rule.expectation}`;
}
