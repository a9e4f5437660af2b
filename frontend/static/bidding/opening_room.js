/* The opening room (不见面开标): one socket, reconnecting; the server's sequence numbers keep the
 * page in step (a gap or a reconnect asks for what was missed); the countdown follows the
 * server's ticks, never the computer's clock. Strings come translated from the page. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("opening-room-config").textContent);
  var t = config.strings;
  var REFUSED = { 4401: true, 4403: true, 4404: true };

  var socket = null;
  var lastSeq = 0;
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
  var serverNow = null; // the last tick's server time (ms)
  var state = { stage: null, bids: null, closesAt: null, bidders: {}, readOut: null, objections: {}, record: null };

  function $(id) { return document.getElementById(id); }
  function text(id, value) { var el = $(id); if (el) { el.textContent = value; } }
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }
  function say(message) { text("room-message", message || ""); }

  // --- the room's state ----------------------------------------------------------------------

  function bidder(number) {
    if (!state.bidders[number]) {
      state.bidders[number] = { checkedIn: false, outcome: null, confirmed: false };
    }
    return state.bidders[number];
  }

  function applySnapshot(opening) {
    state.stage = opening.stage || null;
    if (!state.stage) { return; }
    state.bids = opening.bids_received != null ? opening.bids_received : state.bids;
    state.closesAt = opening.stage === "decrypting" ? opening.window_closes_at || null : null;
    (opening.progress || []).forEach(function (row) {
      var b = bidder(row.bidder_number);
      b.checkedIn = !!row.checked_in;
      b.outcome = row.outcome || null;
      b.confirmed = !!row.confirmed;
    });
    state.readOut = opening.read_out || null;
    state.record = opening.record || null; // the published 开标记录表, once rendered
    (opening.objections || []).forEach(function (row) { state.objections[row.id] = row; });
  }

  function applyEvent(frame) {
    var p = frame.payload || {};
    switch (frame.kind) {
      case "opening.started": state.stage = "check_in"; state.bids = p.bids; break;
      case "attendance.checked_in": bidder(p.bidder_number).checkedIn = true; break;
      case "window.opened": state.stage = "decrypting"; state.closesAt = p.closes_at; break;
      case "bid.unlocked": bidder(p.bidder_number).outcome = p.outcome; break;
      case "window.closed": state.stage = "read_out"; state.closesAt = null; break; // 唱标 next
      case "opening.read_out":
        state.stage = "read_out";
        state.readOut = p.bids || [];
        break;
      case "record.confirmed": bidder(p.bidder_number).confirmed = true; break;
      case "objection.raised":
        state.objections[p.id] = { id: p.id, bidder_number: p.bidder_number, text: p.text, answer: null };
        break;
      case "objection.answered":
        if (state.objections[p.id]) { state.objections[p.id].answer = p.answer; }
        break;
      case "opening.closed":
        state.stage = "closed";
        state.closesAt = null;
        say(format(t.opening_closed, { n: p.count }));
        break;
    }
  }

  function onEvent(frame) {
    if (frame.seq <= lastSeq) { return; } // already shown
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

  function outcomeLabel(outcome) {
    return { opened: t.opened, platform_fault: t.platform_fault, bidder_fault: t.bidder_fault }[outcome] || t.pending;
  }

  function cell(row, value) {
    var td = document.createElement("td");
    td.textContent = value == null ? "—" : String(value);
    row.appendChild(td);
    return td;
  }

  function render() {
    text("room-stage", state.stage ? (t["stage_" + state.stage] || state.stage) : t.not_started);
    text("room-bids", state.bids == null ? "—" : String(state.bids));
    renderCountdown();
    var body = document.querySelector("#room-progress tbody");
    body.textContent = "";
    Object.keys(state.bidders).sort().forEach(function (number) {
      var b = state.bidders[number];
      var row = document.createElement("tr");
      row.id = "progress-" + number;
      cell(row, number).className = "code";
      cell(row, b.checkedIn ? t.checked_in : t.not_checked_in);
      cell(row, outcomeLabel(b.outcome)).className = "outcome-" + (b.outcome || "pending");
      cell(row, b.confirmed ? t.confirmed : "—");
      body.appendChild(row);
    });
    renderReadOut();
    renderObjections();
    if (state.record) {
      var link = document.querySelector("#room-record a");
      link.href = state.record.url;
      link.textContent = format(t.record, { code: state.record.verification_code });
      $("room-record").hidden = false;
    }
  }

  function renderReadOut() {
    var table = $("room-read-out");
    if (!state.readOut) { return; }
    table.hidden = false;
    $("room-read-out-empty").hidden = true;
    var body = table.querySelector("tbody");
    body.textContent = "";
    state.readOut.forEach(function (bid) {
      var row = document.createElement("tr");
      row.id = "read-out-" + bid.bidder_number;
      cell(row, bid.bidder_number).className = "code";
      cell(row, bid.name);
      cell(row, bid.price);
      cell(row, bid.duration);
      cell(row, bid.quality);
      cell(row, (bid.files || []).join(" ")).className = "code";
      body.appendChild(row);
    });
  }

  function renderObjections() {
    var list = $("room-objections");
    list.textContent = "";
    Object.keys(state.objections).forEach(function (id) {
      var o = state.objections[id];
      var item = document.createElement("li");
      item.id = "objection-" + id;
      var head = document.createElement("strong");
      head.textContent = format(t.objection_by, { n: o.bidder_number });
      item.appendChild(head);
      item.appendChild(document.createTextNode("：" + o.text));
      if (o.answer) {
        var answer = document.createElement("p");
        answer.textContent = t.answered + "：" + o.answer;
        item.appendChild(answer);
      } else if (config.seat === "host" || config.seat === "staff") {
        var box = document.createElement("textarea");
        box.rows = 2; box.cols = 50; box.maxLength = 1000;
        box.setAttribute("aria-label", t.answer_prompt);
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = t.answer;
        button.addEventListener("click", function () {
          send({ type: "answer", objection: Number(id), text: box.value });
        });
        item.appendChild(document.createElement("br"));
        item.appendChild(box);
        item.appendChild(button);
      }
      list.appendChild(item);
    });
  }

  function renderCountdown() {
    if (serverNow != null) {
      // The platform keeps Beijing time whatever the computer's zone (DESIGN.md invariant 1).
      text("room-server-time", new Date(serverNow).toLocaleString(undefined, { timeZone: "Asia/Shanghai" }));
    }
    if (!state.closesAt || serverNow == null) {
      text("room-countdown", state.stage && state.stage !== "check_in" ? t.window_closed : "—");
      return;
    }
    var left = Math.max(0, Math.floor((Date.parse(state.closesAt) - serverNow) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    text("room-countdown", t.window_open + " " + minutes + ":" + (seconds < 10 ? "0" : "") + seconds);
  }

  // --- the socket ------------------------------------------------------------------------------

  function send(message) {
    if (config.readOnly) { return; }
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); }
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "snapshot":
        serverNow = Date.parse(frame.server_time);
        // The snapshot is the room as of its seq; later events follow live or by resync.
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
      case "tick": serverNow = Date.parse(frame.server_time); renderCountdown(); break;
      case "pong": serverNow = Date.parse(frame.server_time); renderCountdown(); break;
      case "ack":
        say(t.done);
        if (frame.action === "object" && $("objection-text")) { $("objection-text").value = ""; }
        break;
      case "error": resyncing = false; say(frame.message); break;
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + config.socket);
    text("room-connection", dropped ? t.reconnecting : t.connecting);
    socket.addEventListener("open", function () { openedAt = Date.now(); text("room-connection", t.connected); });
    socket.addEventListener("message", function (event) {
      try { onFrame(JSON.parse(event.data)); } catch (error) { /* a frame we do not read */ }
    });
    socket.addEventListener("close", function (event) {
      resyncing = false;
      if (REFUSED[event.code]) { text("room-connection", t.refused); return; }
      text("room-connection", event.code === 4408 ? t.closed_slow : t.reconnecting);
      dropped = true;
      if (openedAt && Date.now() - openedAt >= STABLE_MS) { attempt = 0; }
      openedAt = 0;
      var bound = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, attempt));
      attempt = Math.min(attempt + 1, 16);
      window.setTimeout(connect, Math.random() * bound);
    });
  }

  // --- the buttons -----------------------------------------------------------------------------

  document.querySelectorAll("[data-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var action = button.getAttribute("data-action");
      var message = { type: action };
      if (action === "open_window") { message.minutes = Number($("window-minutes").value); }
      if (action === "object") { message.text = $("objection-text").value; }
      say("");
      send(message);
    });
  });

  var keyFile = $("key-file");
  if (keyFile) {
    keyFile.addEventListener("change", function () {
      var file = keyFile.files && keyFile.files[0];
      if (!file) { return; }
      var reader = new FileReader();
      reader.onload = function () {
        var parsed;
        try { parsed = JSON.parse(String(reader.result)); } catch (error) { parsed = null; }
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) { say(t.bad_key_file); return; }
        if (window.TianpingSealing && window.TianpingSealing.readKeyFile) {
          try { window.TianpingSealing.readKeyFile(parsed); } catch (error) { say(t.bad_key_file + " " + (error.message || "")); return; }
        }
        say("");
        send({ type: "unlock", key_file: parsed });
      };
      reader.onerror = function () { say(t.bad_key_file); };
      reader.readAsText(file);
      keyFile.value = "";
    });
  }

  render();
  connect();
})();
