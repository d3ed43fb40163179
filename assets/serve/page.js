// The tail-async live view: lines from the server's event stream (Server-Sent Events), rendered in
// batches once per animation frame. Text is only ever put in the page as text (textContent, text
// nodes): a line is never read as HTML. No build step and nothing from elsewhere: this file is served as is.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const filterBox = $('filter');
  const searchBox = $('search');
  const pauseButton = $('pause');
  const newestButton = $('newest');
  const statusBox = $('status');
  const countBox = $('count');
  const matchesBox = $('matches');
  const filesBox = $('files');
  const noticesBox = $('notices');

  // The token the page was opened with (?token=): kept for the event stream, and taken out of the
  // address bar (the server also set it as a cookie).
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token !== null) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  }

  /** Lines the page keeps at most (the server says, in its hello). */
  let maxLines = 10000;
  /** Every line held, oldest first: { source, text, el }. */
  let rows = [];
  /** Lines received and not rendered yet (rendered at the next animation frame). */
  let pending = [];
  /** While paused: lines received, kept for when the page resumes (the newest maxLines of them). */
  let held = [];
  let heldCount = 0;
  let paused = false;
  let frame = 0;
  /** Whether the view follows the newest line (it is scrolled to the bottom). */
  let stick = true;
  /** Where the page itself last scrolled to: scrolling above it is the reader's doing. */
  let pinnedAt = 0;
  let filter = null;
  let search = '';
  /** The id of the last event received: where a new connection resumes. */
  let lastId = '';
  const colours = new Map();
  /**
   * Lines go in blocks of BLOCK lines (the page's children): the browser skips the layout of blocks out of
   * view, so a frame costs the same with 100 lines or 10 000.
   */
  const BLOCK = 16;
  /**
   * Time one frame spends putting lines in at most (ms): a frame stays short however many lines wait and
   * however slow the machine is (the browser's own layout of the lines in view comes on top).
   */
  const FRAME_MS = 8;
  let block = null;
  let blockLines = 0;

  function colourOf(source) {
    let c = colours.get(source);
    if (c === undefined) {
      c = `c${colours.size % 12}`;
      colours.set(source, c);
      const tag = document.createElement('span');
      tag.className = `src ${c}`;
      tag.textContent = source;
      filesBox.append(tag);
    }
    return c;
  }

  /** Puts `text` in `el` as text, with the search matches in <mark> elements. */
  function fill(el, text) {
    if (!search) {
      el.textContent = text;
      return 0;
    }
    el.textContent = '';
    const lower = text.toLowerCase();
    let at = 0;
    let found = 0;
    for (let i = lower.indexOf(search); i !== -1; i = lower.indexOf(search, i + search.length)) {
      if (i > at) el.append(document.createTextNode(text.slice(at, i)));
      const mark = document.createElement('mark');
      mark.textContent = text.slice(i, i + search.length);
      el.append(mark);
      at = i + search.length;
      found++;
    }
    if (at < text.length) el.append(document.createTextNode(text.slice(at)));
    return found;
  }

  function shown(row) {
    return filter === null || filter.test(row.text);
  }

  function render(row) {
    const el = document.createElement('div');
    el.className = 'line';
    const src = document.createElement('span');
    src.className = `src ${colourOf(row.source)}`;
    src.textContent = row.source;
    const text = document.createElement('span');
    text.className = 'text';
    row.matches = fill(text, row.text);
    el.append(src, text);
    el.hidden = !shown(row);
    row.el = el;
    return el;
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(flush);
  }

  /**
   * Once a frame: lines received go in, for FRAME_MS at most (the rest at the next frame), and the oldest
   * beyond maxLines go out. Lines waiting beyond maxLines are dropped unseen: they would be pushed out anyway.
   */
  function flush() {
    frame = 0;
    if (pending.length > maxLines) pending = pending.slice(-maxLines);
    if (pending.length === 0) return counts();
    const started = performance.now();
    let fragment = document.createDocumentFragment();
    let taken = 0;
    while (taken < pending.length) {
      if (block === null || blockLines === BLOCK) {
        if (block !== null) block.append(fragment);
        fragment = document.createDocumentFragment();
        block = document.createElement('div');
        block.className = 'block';
        log.append(block);
        sized.observe(block);
        blockLines = 0;
      }
      const row = pending[taken++];
      fragment.append(render(row));
      rows.push(row);
      blockLines++;
      // The clock is read every 16 lines: reading it costs more than a line.
      if (taken % 16 === 0 && performance.now() - started > FRAME_MS) break;
    }
    block.append(fragment);
    pending = taken === pending.length ? [] : pending.slice(taken);
    if (pending.length > 0) schedule();
    evict(rows.length - maxLines);
    counts();
  }

  /** Takes the `count` oldest lines out: whole blocks where it can (one removal instead of BLOCK). */
  function evict(count) {
    if (count <= 0) return;
    for (let gone = 0; gone < count; ) {
      const oldest = log.firstElementChild;
      if (oldest.childElementCount <= count - gone) {
        gone += oldest.childElementCount;
        if (oldest === block) block = null;
        sized.unobserve(oldest);
        oldest.remove();
      } else {
        for (; gone < count; gone++) rows[gone].el.remove();
      }
    }
    rows = rows.slice(count);
  }

  const atBottom = () => log.scrollTop + log.clientHeight >= log.scrollHeight - 4;

  /**
   * Keeps the view at the newest line while it follows: called once layout is done (a ResizeObserver
   * callback, so reading sizes forces no layout of its own) whenever a block changed size: lines came in
   * or left, a filter hid some, or a block the browser had skipped took its real height.
   */
  const sized = new ResizeObserver(() => {
    if (stick) toBottom();
  });

  function pin() {
    log.classList.add('pinned');
    toBottom();
  }

  function toBottom() {
    if (!atBottom()) log.scrollTop = log.scrollHeight;
    pinnedAt = log.scrollTop;
  }

  function counts() {
    countBox.textContent = `${rows.length} line${rows.length === 1 ? '' : 's'}`;
    pauseButton.textContent = paused ? `Resume (${heldCount} held)` : 'Pause';
    newestButton.hidden = stick;
    if (search) {
      let n = 0;
      for (const row of rows) if (!row.el.hidden) n += row.matches;
      matchesBox.textContent = `${n} match${n === 1 ? '' : 'es'}`;
    } else matchesBox.textContent = '';
  }

  function receive(lines) {
    const incoming = lines.map(([source, text]) => ({ source, text, el: null, matches: 0 }));
    if (paused) {
      heldCount += incoming.length;
      held.push(...incoming);
      if (held.length > 2 * maxLines) held = held.slice(-maxLines);
      counts();
      return;
    }
    pending.push(...incoming);
    schedule();
  }

  function notice(text) {
    const p = document.createElement('p');
    p.textContent = `${new Date().toLocaleTimeString()} — ${text}`;
    noticesBox.append(p);
    while (noticesBox.childElementCount > 5) noticesBox.firstElementChild.remove();
  }

  function status(kind, text) {
    statusBox.className = `status ${kind}`;
    statusBox.textContent = text;
  }

  function refilter() {
    const value = filterBox.value;
    try {
      filter = value ? new RegExp(value) : null;
      filterBox.classList.remove('invalid');
    } catch {
      filter = null;
      filterBox.classList.add('invalid');
    }
    for (const row of rows) row.el.hidden = !shown(row);
    counts();
  }

  function research() {
    search = searchBox.value.toLowerCase();
    for (const row of rows) row.matches = fill(row.el.lastChild, row.text);
    counts();
  }

  let filterFrame = 0;
  filterBox.addEventListener('input', () => {
    cancelAnimationFrame(filterFrame);
    filterFrame = requestAnimationFrame(refilter);
  });
  let searchFrame = 0;
  searchBox.addEventListener('input', () => {
    cancelAnimationFrame(searchFrame);
    searchFrame = requestAnimationFrame(research);
  });
  // Enter in the search box: the next line with a match, from the top of the view.
  searchBox.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || !search) return;
    const top = log.scrollTop + 1;
    const next = rows.find((row) => row.matches > 0 && !row.el.hidden && row.el.offsetTop - log.offsetTop > top) ?? rows.find((row) => row.matches > 0 && !row.el.hidden);
    if (next) next.el.scrollIntoView({ block: 'start' });
  });

  pauseButton.addEventListener('click', () => {
    paused = !paused;
    if (!paused) {
      pending.push(...held);
      held = [];
      heldCount = 0;
      schedule();
    }
    counts();
  });

  log.addEventListener('scroll', () => {
    // Only the reader scrolls up; the page's own scrolling, or blocks growing below, never unpin the view.
    if (atBottom()) stick = true;
    else if (log.scrollTop < pinnedAt - 4) stick = false;
    newestButton.hidden = stick;
    // Scrolled up, the browser keeps the lines in view in place as older ones leave; at the bottom, the page pins it itself.
    log.classList.toggle('pinned', stick);
  });
  newestButton.addEventListener('click', () => {
    stick = true;
    newestButton.hidden = true;
    pin();
  });

  let source = null;
  function connect() {
    const query = new URLSearchParams();
    if (token !== null) query.set('token', token);
    // A new EventSource does not send Last-Event-ID: the position goes in the query instead.
    if (lastId) query.set('last', lastId);
    const q = query.toString();
    source = new EventSource(`events${q ? `?${q}` : ''}`);
    source.addEventListener('open', () => status('live', 'live'));
    source.addEventListener('hello', (event) => {
      maxLines = JSON.parse(event.data).lines;
    });
    source.addEventListener('message', (event) => {
      lastId = event.lastEventId;
      receive(JSON.parse(event.data));
    });
    source.addEventListener('missed', (event) => {
      const { count } = JSON.parse(event.data);
      notice(count === null ? 'the server was restarted: lines written meanwhile may be missing here' : `${count} line${count === 1 ? '' : 's'} missed while disconnected (no longer held by the server)`);
    });
    source.addEventListener('dropped', (event) => {
      const { missed } = JSON.parse(event.data);
      notice(`this page fell ${missed} line${missed === 1 ? '' : 's'} behind and was disconnected by the server; reconnecting`);
    });
    source.addEventListener('end', (event) => {
      const { error } = JSON.parse(event.data);
      if (error) {
        status('failed', 'input failed');
        notice(`the input failed: ${error}`);
      } else status('ended', 'input ended');
    });
    source.addEventListener('error', () => {
      if (statusBox.classList.contains('ended') || statusBox.classList.contains('failed')) return;
      if (source.readyState === EventSource.CLOSED) {
        // Given up by the browser (the server refused): try again, from the last line received.
        status('reconnecting', 'reconnecting');
        source.close();
        setTimeout(connect, 2000);
      } else status('reconnecting', 'reconnecting');
    });
  }
  connect();
  counts();
})();
