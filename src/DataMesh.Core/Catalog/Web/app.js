// The web catalog: a hash-routed single page over the catalog's JSON API.
//   #/                          search and filter products (?q=&domain=&tag=&owner=&classification=)
//   #/products/{id}             a product: owner, contract, SLA and freshness, lineage, releases, quality, runs
//   #/products/{id}/lineage     the lineage graph alone (?depth=1..5)

import * as api from './api.js';
import * as auth from './auth.js';
import {
  h, svg, productHref, formatNumber, formatDuration, time, badge, classificationBadge, freshnessBadge, runStatusBadge,
  table, describeMeasurement, describeRuleFailure,
} from './dom.js';
import { renderLineage } from './lineage.js';

const PAGE_SIZE = 20;
const MAX_DEPTH = 5;
const FILTERS = ['q', 'domain', 'tag', 'owner', 'classification'];

const view = document.getElementById('view');
const statusRegion = document.getElementById('status');
const alertRegion = document.getElementById('alert');

let inFlight = null;
let choicesPromise = null;
const searchState = { key: null, tokens: [undefined], page: 0 };

/** Announces text to assistive technology; shown on screen only while something is loading. */
function setStatus(text, busy = false) {
  statusRegion.textContent = text;
  statusRegion.classList.toggle('visually-hidden', !busy);
  view.setAttribute('aria-busy', busy ? 'true' : 'false');
}

function showError(error, retry) {
  alertRegion.replaceChildren(
    h('strong', null, error.status === 404 ? 'Not found. ' : 'Could not load the catalog. '),
    error.message || String(error),
    retry ? h('button', { type: 'button', class: 'button-link', onclick: retry }, 'Try again') : null);
  alertRegion.hidden = false;
  setStatus('');
}

function clearError() {
  alertRegion.hidden = true;
  alertRegion.replaceChildren();
}

function parseHash() {
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  const segments = path.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { segments, params: new URLSearchParams(query) };
}

function navigate(hash) {
  if (window.location.hash !== hash) {
    window.location.hash = hash;
  } else {
    route();
  }
}

/** Focus the new view's heading so keyboard and screen-reader users start there. */
function focusHeading() {
  const heading = view.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

function markNav(name) {
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === name) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
}

async function route() {
  inFlight?.abort();
  inFlight = new AbortController();
  const { signal } = inFlight;
  clearError();
  const { segments, params } = parseHash();
  try {
    if (segments.length === 0 || segments[0] === 'search') {
      markNav('search');
      await showSearch(params, signal);
    } else if (segments[0] === 'products' && segments.length === 2) {
      markNav('');
      await showProduct(segments[1], signal);
    } else if (segments[0] === 'products' && segments.length === 3 && segments[2] === 'lineage') {
      markNav('');
      await showLineage(segments[1], params, signal);
    } else {
      markNav('');
      document.title = 'Not found · DataMesh catalog';
      view.dataset.view = 'missing';
      view.replaceChildren(h('h1', null, 'No such page'), h('p', null, h('a', { href: '#/' }, 'Back to the products')));
      focusHeading();
    }
  } catch (error) {
    if (error.name !== 'AbortError') {
      showError(error, () => route());
    }
  }
}

// ---------------------------------------------------------------- search

function filtersFrom(params) {
  return Object.fromEntries(FILTERS.map((name) => [name, (params.get(name) || '').trim()]));
}

function searchHash(filters) {
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    if (filters[name]) {
      query.set(name, filters[name]);
    }
  }
  const text = query.toString();
  return text ? `#/search?${text}` : '#/';
}

/** The choices of the filter lists, from every product in the catalog (read once per page load). */
function filterChoices(signal) {
  choicesPromise ??= api.allProducts(signal).then((products) => {
    const distinct = (values) => [...new Set(values.filter(Boolean))].sort((a, b) => a.localeCompare(b));
    return {
      domain: distinct(products.map((p) => p.domain)),
      tag: distinct(products.flatMap((p) => p.tags || [])),
      owner: distinct(products.map((p) => p.ownerTeam)),
      classification: distinct(products.flatMap((p) => p.classifications || [])),
    };
  }).catch((error) => {
    choicesPromise = null;
    throw error;
  });
  return choicesPromise;
}

function filterSelect(name, labelText, choices, selected) {
  const id = `filter-${name}`;
  const options = [...choices];
  if (selected && !options.includes(selected)) {
    options.push(selected);
  }
  return h('div', { class: 'field' },
    h('label', { for: id }, labelText),
    h('select', { id, name },
      h('option', { value: '' }, `Any ${labelText.toLowerCase()}`),
      options.map((value) => h('option', { value, selected: value === selected }, value))));
}

function searchForm(filters, choices) {
  const form = h('form', { class: 'search-form', role: 'search', 'aria-label': 'Search products', id: 'search-form' },
    h('div', { class: 'field field-text' },
      h('label', { for: 'filter-q' }, 'Search'),
      h('input', {
        id: 'filter-q', name: 'q', type: 'search', value: filters.q, placeholder: 'name, description, owner or tag',
        autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'search-help',
      })),
    filterSelect('domain', 'Domain', choices.domain, filters.domain),
    filterSelect('tag', 'Tag', choices.tag, filters.tag),
    filterSelect('owner', 'Owner', choices.owner, filters.owner),
    filterSelect('classification', 'Classification', choices.classification, filters.classification),
    h('div', { class: 'field field-actions' },
      h('button', { type: 'submit', class: 'button' }, 'Search'),
      h('a', { href: '#/', class: 'button-secondary', id: 'clear-filters' }, 'Clear')));
  const read = () => Object.fromEntries(FILTERS.map((name) => [name, (form.elements[name].value || '').trim()]));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(searchHash(read()));
  });
  for (const select of form.querySelectorAll('select')) {
    select.addEventListener('change', () => navigate(searchHash(read())));
  }
  return form;
}

function productCard(product) {
  const latest = product.latestVersion
    ? `${product.latestVersion} #${product.latestRelease}`
    : 'no release yet';
  return h('li', { class: 'card', 'data-product': product.productId },
    h('h2', { class: 'card-title' }, h('a', { href: productHref(product.productId), 'data-product': product.productId }, product.productId)),
    h('p', { class: 'card-description' }, product.description || h('span', { class: 'muted' }, 'No description.')),
    h('dl', { class: 'facts' },
      h('div', null, h('dt', null, 'Owner'), h('dd', null, product.ownerTeam || '–')),
      h('div', null, h('dt', null, 'Latest'), h('dd', null, latest)),
      h('div', null, h('dt', null, 'Rows'), h('dd', null, formatNumber(product.rows))),
      h('div', null, h('dt', null, 'Published'), h('dd', null, time(product.publishedAt)))),
    h('p', { class: 'chips' },
      (product.tags || []).map((tag) => badge(tag, 'tag')),
      (product.classifications || []).map((c) => classificationBadge(c))));
}

async function showSearch(params, signal) {
  const filters = filtersFrom(params);
  const key = JSON.stringify(filters);
  document.title = 'Products · DataMesh catalog';
  setStatus('Loading products…', true);
  const choices = await filterChoices(signal);
  const fresh = view.dataset.view !== 'search';
  if (fresh) {
    view.dataset.view = 'search';
    view.replaceChildren(
      h('h1', null, 'Data products'),
      h('p', { class: 'lead', id: 'search-help' }, 'Search the products of this mesh by text, or narrow them by domain, tag, owner or the classification of their columns.'),
      searchForm(filters, choices),
      h('section', { 'aria-labelledby': 'results-heading', class: 'results' },
        h('h2', { id: 'results-heading', class: 'visually-hidden' }, 'Results'),
        h('p', { id: 'results-summary', class: 'results-summary', tabindex: '-1' }),
        h('ul', { id: 'results', class: 'cards' }),
        h('nav', { class: 'pager', 'aria-label': 'Result pages' },
          h('button', { type: 'button', id: 'page-previous', class: 'button-secondary', onclick: () => turnPage(-1) }, '← Previous'),
          h('span', { id: 'page-number', class: 'muted' }),
          h('button', { type: 'button', id: 'page-next', class: 'button-secondary', onclick: () => turnPage(1) }, 'Next →'))));
  } else {
    const form = document.getElementById('search-form');
    for (const name of FILTERS) {
      if (form.elements[name].value !== filters[name]) {
        form.elements[name].value = filters[name];
      }
    }
  }
  if (searchState.key !== key) {
    searchState.key = key;
    searchState.tokens = [undefined];
    searchState.page = 0;
  }
  await loadResults(filters, signal);
  if (fresh) {
    focusHeading();
  }
}

async function loadResults(filters, signal) {
  const answer = await api.searchProducts(filters, searchState.tokens[searchState.page], PAGE_SIZE, signal);
  searchState.tokens[searchState.page + 1] = answer.continuationToken || undefined;
  const list = document.getElementById('results');
  list.replaceChildren(...answer.items.map(productCard));
  const active = FILTERS.filter((name) => filters[name]).map((name) => `${name === 'q' ? 'text' : name} “${filters[name]}”`);
  const more = answer.continuationToken ? ' (more on the next page)' : '';
  const summary = answer.items.length === 0
    ? `No products match${active.length ? ` ${active.join(', ')}` : ''}.`
    : `${answer.items.length} product${answer.items.length === 1 ? '' : 's'}${searchState.page ? ` on page ${searchState.page + 1}` : ''}${active.length ? ` matching ${active.join(', ')}` : ''}${more}.`;
  document.getElementById('results-summary').textContent = summary;
  document.getElementById('page-previous').disabled = searchState.page === 0;
  document.getElementById('page-next').disabled = !answer.continuationToken;
  document.getElementById('page-number').textContent = searchState.page || answer.continuationToken ? `Page ${searchState.page + 1}` : '';
  document.querySelector('.pager').hidden = !searchState.page && !answer.continuationToken;
  setStatus(summary);
}

async function turnPage(step) {
  const next = searchState.page + step;
  if (next < 0 || (step > 0 && !searchState.tokens[next])) {
    return;
  }
  inFlight?.abort();
  inFlight = new AbortController();
  searchState.page = next;
  try {
    await loadResults(filtersFrom(parseHash().params), inFlight.signal);
    document.getElementById('results-summary').focus();
  } catch (error) {
    if (error.name !== 'AbortError') {
      showError(error, () => turnPage(0));
    }
  }
}

// ---------------------------------------------------------------- product

function section(id, title, ...content) {
  return h('section', { class: 'panel', 'aria-labelledby': `${id}-heading`, id: `section-${id}` },
    h('h2', { id: `${id}-heading` }, title),
    ...content);
}

function fact(term, value) {
  return h('div', null, h('dt', null, term), h('dd', null, value));
}

function qualityCell(quality, passed) {
  if (!quality || !quality.rules) {
    return passed === undefined ? h('span', { class: 'muted' }, '–') : badge(passed ? 'passed' : 'failed', passed ? 'ok' : 'bad');
  }
  const failed = quality.rules.filter((r) => !r.passed);
  const text = `${quality.rules.length - failed.length}/${quality.rules.length} rules passed`;
  return h('details', { class: 'quality-details' },
    h('summary', null, badge(quality.passed ? 'passed' : 'failed', quality.passed ? 'ok' : 'bad'), ` ${text}`),
    rulesTable(quality.rules, 'Quality rules'));
}

function rulesTable(rules, caption) {
  return table(caption, ['Rule', 'Column', 'Metric', 'Severity', 'Measured', 'Expected', 'Result'], rules.map((rule) => ({
    attributes: { class: rule.passed ? null : 'row-failed' },
    cells: [
      rule.name,
      rule.property || h('span', { class: 'muted' }, 'table'),
      rule.metric,
      rule.severity,
      describeMeasurement(rule),
      rule.expectation,
      badge(rule.passed ? 'passed' : 'failed', rule.passed ? 'ok' : (rule.severity === 'error' ? 'bad' : 'warn')),
    ],
  })), { className: 'compact', hideCaption: true });
}

// A landing name as messages show it (LandingBlobNames.Printable): each control character as '?', at most 120 characters,
// so an escape or a line break in a name is seen, never acted on nor hidden.
function printable(name) {
  const shown = String(name).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return shown.length <= 120 ? shown : `${shown.slice(0, 100)}…(${shown.length} characters)`;
}

function runReason(run) {
  const lines = [];
  if (run.status === 'Cancelled') {
    // Who cancelled it and at which stage ("cancelled: by Ctrl+C in datamesh run, at transform"), not a failure reason.
    lines.push(h('span', { class: 'reason-text', 'data-cancel-reason': 'true' }, run.error || 'Cancelled (no reason recorded).'));
  } else if (run.error) {
    lines.push(h('span', { class: 'reason-text' }, run.error));
  }
  const failed = (run.quality?.rules || []).filter((r) => !r.passed);
  if (failed.length) {
    lines.push(h('ul', { class: 'reason-rules' }, failed.map((rule) => h('li', null, describeRuleFailure(rule)))));
  }
  if (run.quarantined?.length) {
    lines.push(h('span', { class: 'reason-quarantine' }, `Quarantined: ${run.quarantined.map(printable).join(', ')}`));
  }
  if (!lines.length) {
    return run.status === 'Published' ? h('span', { class: 'muted' }, '–') : h('span', { class: 'muted' }, 'No reason recorded.');
  }
  return h('div', { class: 'reason' }, lines);
}

// How a run read its inputs: drift from the declared columns (by column name, never a value) and schemas guessed for
// lack of declared columns. Stored with the release and the run by the catalog.
function driftCell(item) {
  const inputs = item.inputs || [];
  const notes = inputs.flatMap((input) => [
    ...(input.autoDetected ? [h('li', { 'data-drift-kind': 'auto-detected' }, `${input.name}: schema auto-detected (no declared columns)`)] : []),
    ...(input.drift || []).map((d) => h('li', { 'data-drift-kind': d.kind }, `${input.name}: ${driftText(d)}`)),
  ]);
  if (!notes.length) {
    return h('span', { class: 'muted' }, inputs.length ? 'none' : '–');
  }
  return h('ul', { class: 'drift-list', 'data-drift': 'true' }, notes);
}

function driftText(drift) {
  switch (drift.kind) {
    case 'missing-column': return `column ${drift.column} missing: read as NULL`;
    case 'unexpected-column': return `column ${drift.column} not declared: read with an auto-detected type${drift.detectedType ? ` (${drift.detectedType})` : ''}`;
    default: return `${drift.kind} in ${drift.column}${drift.count ? ` (${formatNumber(drift.count)} row(s))` : ''}`;
  }
}

// A consumer whose declared range stops short of its upstream's newest version (a newer major), or that nothing
// published satisfies: shown on the product itself, not only in its lineage.
function pinnedBadges(id, lineage) {
  return (lineage.edges || [])
    .filter((e) => e.downstream === id && (e.status === 'behind' || e.status === 'unsatisfied'))
    .map((e) => h('span', {
      class: 'badge badge-warn', 'data-edge-status': e.status,
      title: e.status === 'behind'
        ? `Reads ${e.upstream} ${e.versions}; ${e.upstream} is at ${e.upstreamVersion}. See datamesh impact ${e.upstream}.`
        : `Reads ${e.upstream} ${e.versions}; nothing published in that range.`,
    }, e.status === 'behind' ? `behind ${e.upstream} ${e.upstreamVersion}` : `${e.upstream} ${e.versions} unsatisfied`));
}

// What a release changed, e.g. "append on #3 · +1,200 added, 0 replaced, 0 removed · 2 partitions"; releases
// announced before output modes carry no changes.
function changesCell(release) {
  const changes = release.changes;
  if (!changes) {
    return h('span', { class: 'muted' }, 'not recorded');
  }
  const partitions = changes.partitions.length + changes.partitionsOmitted;
  const base = changes.basedOn ? ` on ${releaseLabel(changes.basedOnVersion || release.version, changes.basedOn)}` : '';
  return h('div', { class: 'changes', 'data-changes': 'true' },
    h('span', { class: 'changes-mode' }, `${changes.mode}${base}`),
    h('span', { class: 'changes-rows' },
      `+${formatNumber(changes.rowsAdded)} added, ${formatNumber(changes.rowsReplaced)} replaced, ${formatNumber(changes.rowsRemoved)} removed`),
    partitions
      ? h('span', { class: 'changes-partitions', title: changes.partitions.join('\n') + (changes.partitionsOmitted ? `\n… and ${changes.partitionsOmitted} more` : '') },
        `${formatNumber(partitions)} partition(s)${changes.partitions.length ? `: ${changes.partitions.slice(0, 3).join(', ')}${partitions > 3 ? ', …' : ''}` : ''}`)
      : null,
    h('span', { class: 'changes-total muted' },
      `${formatNumber(changes.filesWritten)} file(s) written, ${formatNumber(changes.filesReferenced)} referenced · total ${formatNumber(release.rows)} rows`));
}

function releaseLabel(version, release) {
  return release ? `${version} #${release}` : version || '–';
}

// Each output column's sources (input columns, with the upstream product when there is one) and its readers (products,
// in any domain, whose transform reads it, and their readers, with the hop count). Column names only: lineage never carries values.
function renderColumnLineage(id, lineage) {
  const columns = lineage.columns || [];
  const notes = (lineage.columnNotes || []).map((n) => h('p', { class: 'muted', 'data-column-note': 'true' }, n));
  if (!columns.length) {
    return [h('p', { class: 'muted' }, 'No column lineage registered.'), ...notes];
  }

  const source = (s) => h('li', null,
    s.product ? h('a', { href: productHref(s.product) }, s.product) : h('span', null, `landing ${s.input}`),
    ' ', h('code', null, s.column), ' ',
    badge(s.type === 'DIRECT' ? s.subtype.toLowerCase() : `${s.subtype.toLowerCase()} (indirect)`, s.type === 'DIRECT' ? 'neutral' : 'info'));
  // A reader of a reader (hop 2+) says which column of which product it reads: the path the column takes.
  const reader = (r) => h('li', { 'data-hop': String(r.hop || 1) },
    h('a', { href: productHref(r.productId) }, r.productId), ' ',
    (r.hop || 1) > 1 ? [badge(`hop ${r.hop}`, 'info'), ' via ', h('a', { href: productHref(r.through) }, r.through), ' ', h('code', null, r.throughColumn), ' '] : null,
    r.versions ? h('span', { class: 'muted' }, `(${r.versions}) `) : null,
    r.outputs.length ? ['→ ', r.outputs.map((o) => h('code', null, o)).reduce((a, b) => [a, ', ', b])] : h('span', { class: 'muted' }, '(filters, joins or groups on it)'));
  return [
    table(`Column lineage of ${id}`, ['Column', 'Sources', 'Read by'],
      columns.map((c) => [
        h('code', null, c.column),
        c.sources.length ? h('ul', { class: 'plain-list', 'data-sources': c.column }, c.sources.map(source)) : h('span', { class: 'muted' }, 'no input column (a constant or a count)'),
        c.readers.length ? h('ul', { class: 'plain-list', 'data-readers': c.column }, c.readers.map(reader)) : h('span', { class: 'muted' }, 'no reader'),
      ]), { rowHeaders: true, hideCaption: true, scrollable: true }),
    ...notes,
  ];
}

async function showProduct(id, signal) {
  document.title = `${id} · DataMesh catalog`;
  setStatus(`Loading ${id}…`, true);
  const [detail, lineage] = await Promise.all([api.getProduct(id, signal), api.getLineage(id, 2, signal)]);
  // A caller the product's access does not let read its data gets no quality results (the route answers 401/403):
  // the detail says so, and the page is not made to ask for what it would be refused.
  const quality = detail.historyWithheld
    ? null
    : await api.getQuality(id, 20, signal).catch((error) => (error.status === 401 || error.status === 403 ? null : Promise.reject(error)));
  const withheld = detail.historyWithheld
    ? h('p', { class: 'muted', 'data-withheld': 'true' }, detail.historyWithheld)
    : null;
  // Quarantined inputs: from the domain's storage where the host holds it, else from the catalog (the hub); a caller
  // the product's access refuses gets 401/403, and the section says so instead of failing the page.
  const quarantine = detail.historyWithheld
    ? null
    : await api.getQuarantine(id, signal).catch((error) => ([401, 403, 404].includes(error.status) ? null : Promise.reject(error)));
  const product = detail.product;
  const contract = detail.contract;
  const failedRuns = detail.runs.filter((r) => r.status !== 'Published' && r.status !== 'Cancelled').length;
  const cancelledRuns = detail.runs.filter((r) => r.status === 'Cancelled').length;

  view.dataset.view = 'product';
  view.replaceChildren(
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' },
      h('ol', null,
        h('li', null, h('a', { href: '#/' }, 'Products')),
        h('li', null, h('a', { href: searchHash({ domain: product.domain }) }, product.domain)),
        h('li', null, h('span', { 'aria-current': 'page' }, product.name)))),
    h('div', { class: 'product-head' },
      h('div', null,
        h('h1', { class: 'product-title' }, product.productId),
        h('p', { class: 'lead' }, product.description || h('span', { class: 'muted' }, 'No description.'))),
      h('div', { class: 'head-badges' },
        freshnessBadge(detail.freshness),
        product.visibility ? badge(`visibility: ${product.visibility}`, 'info') : null,
        product.latestVersion ? badge(`v${product.latestVersion} #${product.latestRelease}`, 'neutral') : badge('not published', 'warn'),
        ...pinnedBadges(id, lineage))),
    h('nav', { class: 'jump', 'aria-label': 'On this page' },
      h('a', { href: productHref(id, 'lineage'), class: 'button-secondary', 'data-action': 'open-lineage' }, 'Lineage graph'),
      h('span', { class: 'muted' }, `${detail.releases.length}${detail.moreReleases ? '+' : ''} release(s) · ${detail.runs.length}${detail.moreRuns ? '+' : ''} run(s)${failedRuns ? `, ${failedRuns} not published` : ''}${cancelledRuns ? `, ${cancelledRuns} cancelled` : ''}`)),
    h('div', { class: 'grid-2' },
      section('owner', 'Owner and product',
        h('dl', { class: 'facts facts-wide' },
          fact('Team', detail.owner.team || '–'),
          fact('Email', detail.owner.email ? h('a', { href: `mailto:${detail.owner.email}` }, detail.owner.email) : '–'),
          fact('Domain', h('a', { href: searchHash({ domain: product.domain }) }, product.domain)),
          fact('Declared version', product.declaredVersion || '–'),
          fact('Tags', (product.tags || []).length ? product.tags.map((t) => h('a', { href: searchHash({ tag: t }), class: 'badge badge-tag' }, t)) : '–'),
          fact('Inputs', product.inputs?.length ? h('ul', { class: 'inline-list' }, product.inputs.map((i) => h('li', null, h('a', { href: productHref(i) }, i)))) : 'landing files'),
          fact('Location', product.location ? h('code', null, product.location) : '–'))),
      section('sla', 'SLA and freshness',
        h('dl', { class: 'facts facts-wide' },
          fact('Status', freshnessBadge(detail.sla.status)),
          fact('Freshness promise', detail.sla.freshness ? `newest release at most ${formatDuration(detail.sla.freshness)} old` : 'none declared'),
          fact('Newest data', time(detail.sla.newestDataAt)),
          fact('Stale since', detail.sla.staleSince ? time(detail.sla.staleSince) : 'not reported stale'),
          fact('Latest release', detail.latestRelease
            ? `${releaseLabel(detail.latestRelease.version, detail.latestRelease.release)} · ${formatNumber(detail.latestRelease.rows)} rows`
            : 'none yet'),
          fact('Rows', formatNumber(product.rows))))),
    section('schema', 'Contract schema',
      contract.columns.length
        ? table(`Columns of ${id}'s output contract`, ['Column', 'Table', 'Type', 'Constraints', 'Classification', 'Masking', 'Description'],
          contract.columns.map((c) => [
            h('code', null, c.name),
            c.object,
            [c.logicalType, c.physicalType && c.physicalType !== c.logicalType ? `(${c.physicalType})` : null].filter(Boolean).join(' ') || '–',
            [c.primaryKey && 'primary key', c.required && 'required', c.unique && 'unique'].filter(Boolean).join(', ') || '–',
            classificationBadge(c.classification),
            c.masking ? badge(c.masking, 'mask') : h('span', { class: 'muted' }, 'none'),
            c.description || '',
          ]), { rowHeaders: true, hideCaption: true, scrollable: true })
        : h('p', { class: 'muted' }, 'No columns registered.'),
      contract.columnsOmitted ? h('p', { class: 'muted' }, `${contract.columnsOmitted} more column(s) not shown.`) : null,
      contract.classifications.length ? h('p', null, 'Classifications: ', contract.classifications.map(classificationBadge)) : null),
    section('lineage', 'Lineage',
      renderLineage(lineage),
      h('p', null, h('a', { href: productHref(id, 'lineage') }, 'Open the lineage view'), ' to walk more hops.')),
    section('column-lineage', 'Column lineage', renderColumnLineage(id, lineage)),
    section('releases', 'Releases',
      withheld ? withheld.cloneNode(true) : detail.releases.length
        ? table(`Releases of ${id}`, ['Release', 'Total rows', 'Changes', 'Published', 'Quality', 'Built from', 'Drift', 'Run'],
          detail.releases.map((r) => [
            releaseLabel(r.version, r.release),
            formatNumber(r.rows),
            changesCell(r),
            time(r.publishedAt),
            qualityCell(r.quality, r.qualityPassed),
            r.upstream.length
              ? h('ul', { class: 'inline-list' }, r.upstream.map((u) => h('li', null, h('a', { href: productHref(u.productId) }, u.productId), ` ${releaseLabel(u.version, u.release)}`)))
              : (r.landing.length ? `${r.landing.length} landing file(s)` : '–'),
            driftCell(r),
            h('code', { class: 'run-id' }, r.runId),
          ]), { rowHeaders: true, hideCaption: true, scrollable: true, className: 'releases' })
        : h('p', { class: 'muted' }, 'No release published yet.')),
    section('quality', 'Quality results',
      withheld || !quality ? (withheld || h('p', { class: 'muted' }, 'Quality results are not shown to you.')).cloneNode(true) : quality.items.length
        ? quality.items.map((run, index) => h('details', { class: 'quality-run', open: index === 0 },
          h('summary', null,
            badge(run.passed ? 'passed' : 'failed', run.passed ? 'ok' : 'bad'),
            ` ${releaseLabel(run.version, run.release)} · `, time(run.at),
            ` · ${formatNumber(run.rows)} rows · ${run.rules.filter((r) => r.passed).length}/${run.rules.length} rules passed`),
          rulesTable(run.rules, `Quality rules of run ${run.runId}`)))
        : h('p', { class: 'muted' }, 'No run has reached the quality gate yet.')),
    section('runs', 'Runs',
      withheld ? withheld.cloneNode(true) : detail.runs.length
        ? table(`Runs of ${id}`, ['When', 'Status', 'Stage', 'Release', 'Reason', 'Drift', 'Timeline', 'Run'],
          detail.runs.map((run) => ({
            attributes: { class: run.status === 'Published' ? null : run.status === 'Cancelled' ? 'row-cancelled' : 'row-failed', 'data-status': run.status },
            cells: [
              time(run.at),
              runStatusBadge(run.status),
              run.stage || '–',
              releaseLabel(run.version, run.release),
              runReason(run),
              driftCell(run),
              stageTimeline(run),
              h('code', { class: 'run-id' }, run.runId),
            ],
          })), { hideCaption: true, scrollable: true, className: 'runs' })
        : h('p', { class: 'muted' }, 'No runs announced yet.')),
    section('quarantine', 'Quarantined files',
      withheld || !quarantine ? (withheld || h('p', { class: 'muted' }, 'Quarantined files are not shown here.')).cloneNode(true) : quarantine.items.length
        ? table(`Quarantined files of ${id}`, ['File', 'When', 'Stage', 'Reason', 'Replay', 'Run'],
          quarantine.items.map((q) => ({
            attributes: { 'data-quarantined': q.file },
            cells: [
              [h('code', null, q.file), keptInLandingMarker(q)],
              q.quarantinedAt ? time(q.quarantinedAt) : '–',
              q.stage || '–',
              [q.reason || '–', q.failedRules.length ? h('span', { class: 'muted' }, ` (failed: ${q.failedRules.join(', ')})`) : null],
              replayCell(q),
              q.runId ? h('code', { class: 'run-id' }, q.runId) : '–',
            ],
          })), { hideCaption: true, scrollable: true, className: 'quarantine' })
        : h('p', { class: 'muted' }, 'Nothing quarantined.')));
  setStatus(`Showing ${id}: ${detail.releases.length} release(s), ${detail.runs.length} run(s).`);
  focusHeading();
}

// A file whose landing name has '.'/'..' segments cannot be moved: it stays in landing, only its record is quarantined
// (no marker when the announcement that listed it predates that, or the file was moved).
function keptInLandingMarker(q) {
  if (q.keptInLanding !== true) {
    return null;
  }
  const marker = badge('kept in landing', 'info', `The file stayed in the domain's landing container under its original name; only its record was quarantined.`);
  marker.dataset.keptInLanding = 'true';
  return [' ', marker];
}

// Whether a quarantined file can be replayed as it is (`datamesh quarantine replay`), and why not; unknown when the
// announcement that listed it predates that (the hub's list of an older domain).
function replayCell(q) {
  const state = q.replayable === true ? 'yes' : q.replayable === false ? 'no' : 'unknown';
  return h('span', { 'data-replayable': state },
    q.replayable === true ? badge('can be replayed', 'ok')
      : q.replayable === false ? [badge('cannot be replayed', 'warn'), ' ', q.notReplayable || '']
        : h('span', { class: 'muted' }, 'unknown'));
}

// ---------------------------------------------------------------- lineage

async function showLineage(id, params, signal) {
  const requested = Number.parseInt(params.get('depth') || '2', 10);
  const depth = Number.isInteger(requested) ? Math.min(Math.max(requested, 1), MAX_DEPTH) : 2;
  document.title = `Lineage of ${id} · DataMesh catalog`;
  setStatus(`Loading the lineage of ${id}…`, true);
  const lineage = await api.getLineage(id, depth, signal);
  const depthSelect = h('select', { id: 'lineage-depth', name: 'depth' },
    Array.from({ length: MAX_DEPTH }, (_, i) => i + 1).map((n) => h('option', { value: n, selected: n === depth }, `${n} hop${n === 1 ? '' : 's'}`)));
  depthSelect.addEventListener('change', () => navigate(`${productHref(id, 'lineage')}?depth=${depthSelect.value}`));
  const wasLineage = view.dataset.view === 'lineage' && view.dataset.product === id;
  view.dataset.view = 'lineage';
  view.dataset.product = id;
  view.replaceChildren(
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' },
      h('ol', null,
        h('li', null, h('a', { href: '#/' }, 'Products')),
        h('li', null, h('a', { href: productHref(id) }, id)),
        h('li', null, h('span', { 'aria-current': 'page' }, 'Lineage')))),
    h('h1', null, `Lineage of ${id}`),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field field-inline' }, h('label', { for: 'lineage-depth' }, 'Depth'), depthSelect),
      h('a', { href: productHref(id), class: 'button-secondary' }, `Back to ${id}`)),
    section('graph', `${lineage.nodes.filter((n) => n.direction === 'upstream').length} upstream, ${lineage.nodes.filter((n) => n.direction === 'downstream').length} downstream`,
      renderLineage(lineage)));
  setStatus(`Lineage of ${id} to ${depth} hop(s): ${lineage.nodes.length} related product(s).`);
  if (wasLineage) {
    document.getElementById('lineage-depth').focus();
  } else {
    focusHeading();
  }
}

// ---------------------------------------------------------------- start

document.querySelector('[data-skip]')?.addEventListener('click', (event) => {
  event.preventDefault();
  document.getElementById('main').focus();
});
// In Azure, sign in before the first call (the page may leave for the tenant's sign-in and come back); locally, open.
auth.ready().then((session) => {
  if (session) {
    document.getElementById('signed-in').replaceChildren('Signed in', session.name ? ` as ${session.name}` : '');
    document.getElementById('signed-in').hidden = false;
  }

  window.addEventListener('hashchange', route);
  route();
}, (error) => showError(error));

// A run's stages on one time axis (every attempt, retries included), drawn as SVG bars with the same facts as a list
// for screen readers and keyboard users. Bars are sized with attributes, not styles (the page's CSP has no inline styles).
function stageTimeline(run) {
  const stages = (run.stages || []).map((s) => ({ ...s, start: Date.parse(s.startedAt), end: Date.parse(s.endedAt) }))
    .filter((s) => !Number.isNaN(s.start) && !Number.isNaN(s.end));
  if (stages.length === 0) {
    return h('span', { class: 'muted' }, '–');
  }

  const begin = Math.min(...stages.map((s) => s.start));
  const total = Math.max(1, Math.max(...stages.map((s) => s.end)) - begin);
  const width = 180;
  const rowHeight = 8;
  const names = [...new Set(stages.map((s) => s.stage))];
  const chart = svg('svg', {
    class: 'timeline', width, height: names.length * rowHeight + 2, viewBox: `0 0 ${width} ${names.length * rowHeight + 2}`,
    role: 'img', 'aria-label': `Stage timeline of run ${run.runId}, ${(total / 1000).toFixed(2)} s`,
  }, ...stages.map((s) => svg('rect', {
    class: `timeline-bar timeline-${s.outcome === 'succeeded' ? 'ok' : 'bad'}`,
    x: ((s.start - begin) / total) * width,
    y: names.indexOf(s.stage) * rowHeight + 1,
    width: Math.max(2, ((s.end - s.start) / total) * width),
    height: rowHeight - 2,
  }, svg('title', null, `${s.stage} (attempt ${s.attempt}): ${((s.end - s.start) / 1000).toFixed(2)} s, ${s.outcome}`))));
  return h('details', { class: 'timeline-details' },
    h('summary', null, chart, h('span', { class: 'muted' }, ` ${(total / 1000).toFixed(2)} s`)),
    h('ol', { class: 'timeline-list' }, ...stages.map((s) => h('li', null,
      `${s.stage}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}: ${((s.end - s.start) / 1000).toFixed(2)} s, ${s.outcome}${s.error ? ` — ${s.error}` : ''}`))));
}
