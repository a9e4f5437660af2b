/*
 * The bidder's sealed-bid page (bidding/sealed_bid_lot.html), built on window.TianpingSealing
 * (sealing.js, bidding/SEALING.md):
 *   seal in the browser -> upload the chunks -> fetch them back and decrypt them (checkUpload)
 *   -> the bidder saves the key file -> loads it back once to prove it was kept -> commit
 *   -> the signed receipt.
 * K_bidder leaves the browser only in the key file the bidder saves. Texts come translated from
 * the page's data-msg-* attributes; the server's refusals come translated in its answers.
 */
(function () {
  "use strict";

  const root = document.getElementById("bid-submit");
  if (!root) return;
  const form = document.getElementById("bid-form");
  const progress = document.getElementById("bid-progress");
  const errorBox = document.getElementById("bid-error");
  const keyStep = document.getElementById("bid-key-step");
  const keyLink = document.getElementById("bid-key-download");
  const keyInput = document.getElementById("bid-key-check");
  const commitButton = document.getElementById("bid-commit");
  const sealButton = document.getElementById("bid-seal");
  const csrf = root.dataset.csrf;
  const msg = (name) => root.dataset["msg" + name] || name;

  let state = null; // {started, draft, body, keySaved}

  function say(text) {
    progress.textContent = text;
  }

  function fail(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    say("");
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
  }

  async function refusal(response) {
    try {
      const answer = await response.json();
      if (answer && answer.error) return answer.error;
    } catch (ignored) {
      // not JSON: a 404 or 403 page
    }
    return msg("Failed") + " (HTTP " + response.status + ")";
  }

  async function post(url, body, type) {
    const headers = { "X-CSRFToken": csrf };
    if (type) headers["Content-Type"] = type;
    return fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin" });
  }

  function chunkUrl(started, index, counter) {
    return started.chunk_url + index + "/chunks/" + counter + "/";
  }

  function offerOf() {
    const data = new FormData(form);
    const text = (name) => String(data.get(name) || "").trim();
    const price = text("price");
    if (!/^\d+(\.\d{1,2})?$/.test(price)) throw new Error(msg("Price"));
    const certificates = data.getAll("certificates").map((value) => Number(value));
    return {
      offer: {
        price: price,
        duration: text("duration"),
        quality: text("quality"),
        project_manager: text("project_manager"),
        certificates: certificates.map(String),
      },
      certificates: certificates,
    };
  }

  async function upload(started, draft) {
    for (const index of draft.fileIndices()) {
      let counter = 0;
      for await (const chunk of draft.chunks(index)) {
        say(msg("Uploading") + " " + index + " / " + counter);
        const response = await post(chunkUrl(started, index, counter), chunk, "application/octet-stream");
        if (!response.ok) throw new Error(await refusal(response));
        counter += 1;
      }
    }
  }

  async function fetchBack(started, draft) {
    say(msg("Checking"));
    await draft.checkUpload(async function (index) {
      const summary = await draft.fileSummary(index);
      const stored = [];
      for (let counter = 0; counter < summary.chunks; counter += 1) {
        const response = await fetch(chunkUrl(started, index, counter), { credentials: "same-origin" });
        if (!response.ok) throw new Error(await refusal(response));
        stored.push(new Uint8Array(await response.arrayBuffer()));
      }
      return stored;
    });
  }

  function offerKeyFile(started, draft) {
    const blob = new Blob([draft.keyFileText()], { type: "application/json" });
    keyLink.href = URL.createObjectURL(blob);
    keyLink.download = "bid-key-lot" + started.context.lot + "-v" + started.context.version + ".json";
    keyStep.hidden = false;
    form.hidden = true;
    say(msg("Key"));
  }

  async function seal(event) {
    event.preventDefault();
    clearError();
    sealButton.disabled = true;
    try {
      const offer = offerOf();
      const documents = Array.from(document.getElementById("bid-documents").files || []);
      say(msg("Starting"));
      const response = await post(root.dataset.startUrl, null, null);
      if (!response.ok) throw new Error(await refusal(response));
      const started = await response.json();
      say(msg("Sealing"));
      const draft = await window.TianpingSealing.sealBid({
        context: started.context,
        lotPublicKey: started.lot_public_key,
        offer: offer.offer,
        documents: documents,
      });
      await upload(started, draft);
      await fetchBack(started, draft);
      const body = await draft.commitBody();
      body.certificates = offer.certificates;
      state = { started: started, draft: draft, body: body, keySaved: false };
      offerKeyFile(started, draft);
    } catch (error) {
      fail(error && error.message ? error.message : String(error));
      sealButton.disabled = false;
    }
  }

  async function checkKeyFile() {
    clearError();
    commitButton.disabled = true;
    const file = keyInput.files && keyInput.files[0];
    if (!state || !file) return;
    try {
      const loaded = await window.TianpingSealing.readKeyFile(await file.text());
      const context = state.started.context;
      const same =
        loaded.context.lot === context.lot &&
        loaded.context.enrolment === context.enrolment &&
        loaded.context.version === context.version &&
        loaded.keyFile.commitment === state.body.bidder_share_commitment;
      if (!same) throw new Error(msg("KeyMismatch"));
      commitButton.disabled = false;
      say(msg("KeyOk"));
    } catch (error) {
      fail(error && error.message ? error.message : String(error));
    }
  }

  async function commit() {
    clearError();
    commitButton.disabled = true;
    try {
      say(msg("Committing"));
      const response = await post(state.started.commit_url, JSON.stringify(state.body), "application/json");
      if (!response.ok) throw new Error(await refusal(response));
      const answer = await response.json();
      say(msg("Done"));
      window.location.assign(answer.page_url);
    } catch (error) {
      fail(error && error.message ? error.message : String(error));
      commitButton.disabled = false;
    }
  }

  form.addEventListener("submit", seal);
  keyInput.addEventListener("change", checkKeyFile);
  commitButton.addEventListener("click", commit);
})();
