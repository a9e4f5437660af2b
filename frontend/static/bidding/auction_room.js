/* The auction room (网上挂牌、限时竞价、拍卖): one socket, reconnecting; the server's sequence
 * numbers keep the page in step (a gap or a reconnect asks for what was missed; a phase change
 * asks for a fresh snapshot); the countdown follows the server's clock (its ticks give the
 * offset from this computer's), never the computer's own. Strings come translated from the page.
 * Bidders appear by number only. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("auction-room-config").textContent);
  var t = config.strings;
  var REFUSED = { 4401: true, 4403: true, 4404: true };
  var PHASE_CHANGES = { listing_closed: true, timed_started: true, closed: true, suspended: true, resumed: true };

  var socket = null;
  var lastSeq = null; // null until the first snapshot
  var resyncing = false;
  // Reconnecting: exponential backoff with full jitter (a random wait below a bound that doubles
  // from 0.5 s to 8 s), so the clients of a server that went away come back spread out, not in
  // one wave; a connection that stayed open a while starts the schedule again.
  var BACKOFF_FIRST_MS = 500;
  var BACKOFF_MAX_MS = 8000;
  var STABLE_MS = 5000;
  var attempt = 0;
  var openedAt = 0;
  var dropped = false; // a connection was lost: the next ones are reconnections
  var offset = null; // server time minus this computer's time (ms), from the last tick
  var pending = null; // the bid sent and not yet answered: resent with its key after a reconnect
  var state = {
    phase: null, price: null, leader: null, bidSeq: 0, opensAt: null, endsAt: null,
    declarationOpensAt: null, direction: "up", start: null, step: null, floor: null,
    eligible: false, declared: false, reason: "", sold: null, reserve: null, history: []
  };

  function $(id) { return document.getElementById(id); }
  function text(id, value) { var el = $(id); if (el) { el.textContent = value; } }
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }
  function say(message) { text("auction-message", message || ""); }
  function serverNow() { return offset == null ? null : Date.now() + offset; }

  // --- money, in cents (two decimals, as the server keeps it) ---------------------------------

  function cents(amount) {
    var match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(amount == null ? "" : amount).replace(/,/g, "").trim());
    if (!match) { return null; }
    var value = Number(match[2]) * 100 + Number(((match[3] || "") + "00").slice(0, 2));
    return match[1] ? -value : value;
  }
  function amountOf(value) {
    var whole = Math.floor(value / 100);
    var rest = value % 100;
    return whole + "." + (rest < 10 ? "0" : "") + rest;
  }
  function money(amount) {
    if (amount == null) { return "—"; }
    var parts = String(amount).split(".");
    return parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (parts[1] ? "." + parts[1] : "");
  }
  function clockTime(iso) {
    return iso ? new Date(Date.parse(iso)).toLocaleString(undefined, { timeZone: "Asia/Shanghai" }) : "—";
  }

  // --- the room's state ----------------------------------------------------------------------

  function sign() { return state.direction === "down" ? -1 : 1; }
  function minimum() {
    if (state.phase === "closed" || state.start == null) { return null; }
    if (state.price == null) { return cents(state.start); }
    return cents(state.price) + sign() * cents(state.step);
  }
  function running() {
    var now = serverNow();
    if (state.phase !== "listing" && state.phase !== "timed") { return false; }
    if (now == null) { return true; }
    return Date.parse(state.opensAt) <= now && now < Date.parse(state.endsAt);
  }
  function mayBid() {
    return !!config.bidderNumber && state.eligible && running() && state.leader !== config.bidderNumber;
  }
  function mayDeclare() {
    var now = serverNow();
    if (!config.bidderNumber || state.phase !== "listing" || state.declared || !state.declarationOpensAt) { return false; }
    return now != null && Date.parse(state.declarationOpensAt) <= now && now < Date.parse(state.endsAt);
  }

  function remember(bid) {
    for (var i = 0; i < state.history.length; i += 1) {
      if (state.history[i].bid_seq === bid.bid_seq) { return; }
    }
    state.history.push(bid);
    state.history.sort(function (a, b) { return a.bid_seq - b.bid_seq; });
  }

  function applySnapshot(s) {
    state.phase = s.phase;
    state.price = s.price;
    state.leader = s.leader;
    state.bidSeq = s.bid_seq;
    state.opensAt = s.opens_at;
    state.endsAt = s.ends_at;
    state.declarationOpensAt = s.declaration_opens_at;
    state.direction = s.direction;
    state.start = s.start;
    state.step = s.step;
    state.floor = s.floor;
    state.eligible = !!s.eligible;
    state.declared = !!s.declared;
    state.reason = s.suspended_reason || "";
    state.sold = s.sold;
    state.reserve = s.reserve;
    state.history = (s.history || []).slice();
    offset = Date.parse(s.server_time) - Date.now();
    if (s.phase === "closed" && s.sold != null) {
      // The result, and the reserve (底价) the close revealed.
      var result = s.sold ? format(t.sold, { winner: s.leader, price: money(s.price) }) : t.unsold;
      say(result + (s.reserve ? " " + format(t.reserve, { reserve: money(s.reserve) }) : ""));
    }
  }

  function applyEvent(frame) {
    var p = frame.payload || {};
    if (frame.kind === "bid") {
      remember({ bid_seq: p.bid_seq, amount: p.amount, at: frame.at, bidder_number: p.bidder_number });
      if (p.bid_seq >= state.bidSeq) {
        state.bidSeq = p.bid_seq;
        state.price = p.amount;
        state.leader = p.bidder_number;
        if (p.ends_at) { state.endsAt = p.ends_at; }
      }
    } else if (frame.kind === "declared") {
      if (p.bidder_number === config.bidderNumber) { state.declared = true; }
    } else if (frame.kind === "suspended") {
      state.phase = "suspended";
      state.reason = p.reason || "";
      // An outage's suspension announces its resumption at once (a fresh countdown from then).
      say(format(t.suspended, { reason: state.reason }) +
        (p.resumes_at ? " " + format(t.resumes, { at: clockTime(p.resumes_at) }) : ""));
    } else if (frame.kind === "resumed") {
      if (p.resumes_at) { say(format(t.resumes, { at: clockTime(p.resumes_at) })); }
    } else if (frame.kind === "timed_started") {
      say(t.timed_started);
    } else if (frame.kind === "closed") {
      state.phase = "closed";
      say(p.sold ? format(t.sold, { winner: p.winner, price: money(p.price) }) : t.unsold);
    }
    // Who may bid, the new end and the revealed reserve come from the server's snapshot.
    // Spread over a second, so a full room does not ask the server all at once.
    if (PHASE_CHANGES[frame.kind]) {
      window.setTimeout(function () { send({ type: "refresh" }); }, Math.random() * 1000);
    }
  }

  function onEvent(frame) {
    if (lastSeq == null || frame.seq <= lastSeq) { return; } // already shown
    if (frame.seq > lastSeq + 1) { askResync(); return; } // a gap: fetch what was missed first
    applyEvent(frame);
    lastSeq = frame.seq;
  }

  function askResync() {
    if (resyncing) { return; }
    resyncing = true;
    send({ type: "resync", after: lastSeq });
  }

  // --- rendering -------------------------------------------------------------------------------

  function cell(row, value) {
    var td = document.createElement("td");
    td.textContent = value == null ? "—" : String(value);
    row.appendChild(td);
    return td;
  }

  function render() {
    text("auction-phase", state.phase ? (t["phase_" + state.phase] || state.phase) : "—");
    text("auction-price", state.price == null ? t.no_bid : money(state.price));
    var leader = state.leader || "—";
    if (state.leader && state.leader === config.bidderNumber) { leader += " " + t.mine; }
    text("auction-leader", leader);
    text("auction-ends-at", clockTime(state.endsAt));
    text("auction-start", money(state.start));
    text("auction-step", money(state.step));
    text("auction-floor", money(state.floor));
    renderHistory();
    renderChart();
    renderControls();
    renderClock();
  }

  function renderHistory() {
    var body = document.querySelector("#auction-history tbody");
    if (!body) { return; }
    body.textContent = "";
    state.history.slice().reverse().forEach(function (bid) {
      var row = document.createElement("tr");
      row.id = "bid-" + bid.bid_seq;
      var mine = bid.bidder_number === config.bidderNumber;
      if (mine) { row.className = "mine"; }
      cell(row, bid.bid_seq);
      cell(row, bid.bidder_number + (mine ? " " + t.mine : "")).className = "code";
      cell(row, money(bid.amount)).className = "code";
      cell(row, clockTime(bid.at));
      body.appendChild(row);
    });
  }

  function svg(name, attributes, parent) {
    var el = document.createElementNS("http://www.w3.org/2000/svg", name);
    Object.keys(attributes).forEach(function (key) { el.setAttribute(key, attributes[key]); });
    if (parent) { parent.appendChild(el); }
    return el;
  }

  function renderChart() {
    var box = $("auction-chart");
    if (!box) { return; }
    box.textContent = "";
    if (!state.history.length) { box.textContent = t.chart_empty; return; }
    var width = 600, height = 220, left = 8, right = 8, top = 16, bottom = 20;
    var values = state.history.map(function (bid) { return cents(bid.amount); });
    var low = Math.min.apply(null, values.concat([cents(state.start)]));
    var high = Math.max.apply(null, values.concat([cents(state.start)]));
    if (high === low) { high = low + 1; }
    var n = values.length;
    function x(i) { return left + (n === 1 ? (width - left - right) / 2 : i * (width - left - right) / (n - 1)); }
    function y(v) { return top + (high - v) * (height - top - bottom) / (high - low); }
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height }, box);
    svg("line", { "class": "axis", x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }, chart);
    var points = values.map(function (v, i) { return x(i).toFixed(1) + "," + y(v).toFixed(1); });
    svg("polyline", { "class": "line", points: points.join(" ") }, chart);
    state.history.forEach(function (bid, i) {
      var dot = svg("circle", { cx: x(i).toFixed(1), cy: y(values[i]).toFixed(1), r: 4 }, chart);
      dot.setAttribute("class", bid.bidder_number === config.bidderNumber ? "dot mine" : "dot");
      svg("title", {}, dot).textContent = "#" + bid.bid_seq + " " + bid.bidder_number + " " + money(bid.amount);
    });
    svg("text", { x: left, y: 12 }, chart).textContent = money(amountOf(high));
    svg("text", { x: left, y: height - 6 }, chart).textContent = money(amountOf(low));
  }

  function renderControls() {
    var least = minimum();
    var input = $("bid-amount");
    if (input && least != null && document.activeElement !== input) {
      var typed = cents(input.value);
      if (typed == null || sign() * (typed - least) < 0) { input.value = amountOf(least); }
    }
    var submit = $("bid-submit");
    if (submit) { submit.disabled = !mayBid() || pending != null; }
    var declareBox = $("declare-box");
    if (declareBox) {
      declareBox.hidden = !(state.phase === "listing" && (state.declarationOpensAt || state.declared));
      $("declare-submit").disabled = !mayDeclare();
      if (state.declared) { $("declare-submit").textContent = t.declared; }
    }
  }

  function renderClock() {
    var now = serverNow();
    if (now != null) { text("auction-server-time", new Date(now).toLocaleString(undefined, { timeZone: "Asia/Shanghai" })); }
    var el = $("auction-countdown");
    if (!el) { return; }
    el.classList.remove("urgent");
    if (!state.endsAt || now == null || state.phase === "closed" || state.phase === "suspended") {
      el.textContent = state.phase === "closed" ? t.ended : "—";
      return;
    }
    if (now < Date.parse(state.opensAt)) { el.textContent = t.not_started; return; }
    var left = Math.max(0, Math.floor((Date.parse(state.endsAt) - now) / 1000));
    if (left === 0) { el.textContent = t.ended; return; }
    var days = Math.floor(left / 86400);
    var hours = Math.floor((left % 86400) / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    var seconds = left % 60;
    var pad = function (v) { return (v < 10 ? "0" : "") + v; };
    el.textContent = (days ? days + "d " : "") + (days || hours ? pad(hours) + ":" : "") + pad(minutes) + ":" + pad(seconds);
    if (left <= 30) { el.classList.add("urgent"); }
  }

  // --- the socket ------------------------------------------------------------------------------

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); return true; }
    return false;
  }
  function act(message) {
    say("");
    // A bid waits in `pending` and goes when the socket is back; other actions are asked again.
    if (!send(message) && message.type !== "bid") { say(t.reconnecting); }
  }

  function onAnswer(frame) {
    var ok = frame.type === "ack";
    if (frame.action === "bid") {
      pending = null;
      if (ok) { say(format(t.accepted, { seq: frame.bid_seq, amount: money(frame.amount) })); } else { say(frame.message); }
      return;
    }
    if (!ok) { say(frame.message); return; }
    if (frame.action === "declare") { state.declared = true; say(t.declared); }
    else if (frame.action === "reveal") { text("reveal-answer", format(t.revealed, { number: frame.bidder_number, name: frame.name })); }
    else { say(t.done); }
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "snapshot":
        // The snapshot is the room as of its seq; later events follow live or by resync.
        if (lastSeq != null && frame.seq < lastSeq) { askResync(); break; }
        applySnapshot(frame);
        lastSeq = frame.seq;
        render();
        break;
      case "event": onEvent(frame); render(); break;
      case "resync":
        resyncing = false;
        frame.events.forEach(onEvent);
        render();
        break;
      case "tick":
      case "pong":
        offset = Date.parse(frame.server_time) - Date.now();
        renderClock();
        break;
      case "ack": onAnswer(frame); render(); break;
      case "error":
        resyncing = false;
        if (frame.action) { onAnswer(frame); render(); } else { say(frame.message); }
        break;
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + config.socket);
    text("auction-connection", dropped ? t.reconnecting : t.connecting);
    socket.addEventListener("open", function () {
      openedAt = Date.now();
      text("auction-connection", t.connected);
      // A bid sent before the connection dropped goes again with its key: at most one is taken.
      if (pending) { send(pending); }
    });
    socket.addEventListener("message", function (event) {
      try { onFrame(JSON.parse(event.data)); } catch (error) { /* a frame we do not read */ }
    });
    socket.addEventListener("close", function (event) {
      resyncing = false;
      if (REFUSED[event.code]) { text("auction-connection", t.refused); return; }
      text("auction-connection", event.code === 4408 ? t.closed_slow : t.reconnecting);
      dropped = true;
      if (openedAt && Date.now() - openedAt >= STABLE_MS) { attempt = 0; }
      openedAt = 0;
      var bound = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, attempt));
      attempt = Math.min(attempt + 1, 16);
      window.setTimeout(connect, Math.random() * bound);
    });
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  // --- the controls ----------------------------------------------------------------------------

  var form = $("bid-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (pending || !mayBid()) { return; }
      var amount = $("bid-amount").value.replace(/,/g, "").trim();
      pending = { type: "bid", amount: amount, idempotency_key: newKey() };
      act(pending);
      renderControls();
    });
    document.querySelectorAll("[data-steps]").forEach(function (button) {
      button.addEventListener("click", function () {
        var steps = Number(button.getAttribute("data-steps"));
        var base = state.price == null ? cents(state.start) - sign() * cents(state.step) : cents(state.price);
        if (base == null || state.step == null) { return; }
        $("bid-amount").value = amountOf(base + sign() * steps * cents(state.step));
      });
    });
  }
  if ($("declare-box")) {
    $("declare-box").addEventListener("submit", function (event) {
      event.preventDefault();
      act({ type: "declare" });
    });
  }
  if ($("suspend-submit")) {
    $("suspend-submit").addEventListener("click", function () {
      act({ type: "suspend", reason: $("suspend-reason").value });
    });
    $("resume-submit").addEventListener("click", function () {
      act({ type: "resume", at: $("resume-at").value });
    });
  }
  if ($("reveal-submit")) {
    $("reveal-submit").addEventListener("click", function () {
      act({ type: "reveal", bidder_number: $("reveal-number").value.trim() });
    });
  }

  // Between ticks the countdown moves on this computer's clock, corrected by the last tick.
  window.setInterval(function () { renderClock(); renderControls(); }, 250);
  render();
  connect();
})();
