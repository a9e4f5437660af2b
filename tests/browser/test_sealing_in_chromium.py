"""In Chromium, sealing.js (WebCrypto) is the format: it reproduces the committed test vectors,
a bid it seals opens on the Python side with the lot's key after the deadline, and it refuses a
tampered key file (bidding/SEALING.md; DESIGN.md invariant 3).

WebCrypto exists only in secure contexts; the live server on localhost is one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page

from bidding import sealing_vectors
from bidding.domain import sealing
from bidding.domain.sealing import BidContext
from bidding.services.lot_keys import lot_key_public, lot_key_unwrap
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.tenders import closes, first_lot, make_tender, make_world

pytestmark = pytest.mark.django_db(transaction=True)

VECTORS = json.loads(sealing_vectors.PATH.read_text(encoding="utf-8"))
BIG = 2 * 1024 * 1024 + 12345  # three 1 MiB chunks, the last one short


def _with_sealing(page: Page, live_server: Any) -> None:
    base = str(live_server)
    page.goto(f"{base}/static/bidding/sealing.js")
    page.add_script_tag(url=f"{base}/static/bidding/sealing.js")
    assert page.evaluate("window.isSecureContext && typeof TianpingSealing.sealBid === 'function'")


VECTOR_SCRIPT = """async (v) => {
  const S = TianpingSealing, I = S.internals;
  const files = v.inputs.documents.map((d) => new File([I.unb64(d.content)], d.name));
  const draft = await S.sealBid({
    context: v.inputs.context,
    lotPublicKey: v.inputs.lot_key.public_key,
    offer: v.inputs.offer,
    documents: files,
    chunkSize: v.chunk_size,
    fixed: {
      platformShare: v.inputs.platform_share, bidderShare: v.inputs.bidder_share,
      salt: v.inputs.salt, commitmentKey: v.inputs.commitment_key,
      ephemeralJwk: v.inputs.ephemeral_key.jwk, wrapNonce: v.inputs.wrap_nonce,
    },
  });
  const out = {fileIndices: draft.fileIndices(), commitBody: await draft.commitBody(),
    keyFile: draft.keyFile(), keyFileText: draft.keyFileText(), content: draft.content,
    files: [], canonical: v.canonical_json.map((c) => S.canonicalJson(c.value))};
  for (const f of v.derived.files) {
    const chunks = [];
    for await (const chunk of draft.chunks(f.index)) chunks.push(I.b64(chunk));
    const plain = I.unb64(f.plaintext);
    out.files.push({
      index: f.index, chunks,
      contentKey: await I.contentKey(I.unb64(v.inputs.platform_share),
        I.unb64(v.inputs.bidder_share), I.unb64(v.inputs.salt), v.inputs.context, f.index),
      nonces: f.chunks.map((c) => I.chunkNonce(c.counter, c.last)),
      aads: f.chunks.map((c) => I.chunkAad(v.inputs.context, f.index, c.counter, c.last)),
      sha256: new I.Sha256().update(plain).hexdigest(),
      webcryptoSha256: await I.sha256Hex(plain),
    });
  }
  out.platformCommitment = await S.shareCommitment("platform",
    I.unb64(v.inputs.platform_share), v.inputs.context);
  await draft.checkUpload(async (index) =>
    v.derived.files[index].chunks.map((c) => I.unb64(c.ciphertext)));
  return out;
}"""


def test_sealing_js_reproduces_every_test_vector(page: Page, live_server: Any) -> None:
    _with_sealing(page, live_server)
    out = page.evaluate(VECTOR_SCRIPT, VECTORS)
    derived = VECTORS["derived"]
    assert out["commitBody"] == derived["commit_body"]
    assert out["keyFile"] == derived["key_file"]
    assert out["keyFileText"] == derived["key_file_json"]
    assert out["content"] == derived["content"]
    assert out["fileIndices"] == [0, 1, 2]
    assert out["platformCommitment"] == derived["commit_body"]["platform_share_commitment"]
    for mine, theirs in zip(out["files"], derived["files"], strict=True):
        assert mine["chunks"] == [c["ciphertext"] for c in theirs["chunks"]]
        assert mine["contentKey"] == theirs["content_key_hex"]
        assert mine["nonces"] == [c["nonce_hex"] for c in theirs["chunks"]]
        assert mine["aads"] == [c["aad_hex"] for c in theirs["chunks"]]
        assert mine["sha256"] == mine["webcryptoSha256"] == theirs["plaintext_sha256"]
    assert out["canonical"] == [case["text"] for case in VECTORS["canonical_json"]]


def test_the_step_by_step_sha256_agrees_with_webcrypto_at_every_length(
    page: Page, live_server: Any
) -> None:
    _with_sealing(page, live_server)
    mismatches = page.evaluate(
        """async () => {
      const I = TianpingSealing.internals, bad = [];
      for (let n = 0; n < 300; n++) {
        const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
        const split = new I.Sha256().update(data.subarray(0, n >> 1))
          .update(data.subarray(n >> 1)).hexdigest();
        if (split !== await I.sha256Hex(data)) bad.push(n);
      }
      return bad;
    }"""
    )
    assert mismatches == []


def _pattern(size: int) -> bytes:
    head = b"%PDF-1.7\n"
    return head + bytes((i * 7) % 251 for i in range(size - len(head)))


SEAL_SCRIPT = """async ([context, lotPublicKey, big]) => {
  const S = TianpingSealing, I = S.internals;
  const head = new TextEncoder().encode("%PDF-1.7\\n");
  const body = new Uint8Array(big);
  body.set(head);
  for (let i = head.length; i < big; i++) body[i] = ((i - head.length) * 7) % 251;
  const small = new File([head, "一份很短的商务标"], "商务标.pdf", {type: "application/pdf"});
  const draft = await S.sealBid({
    context, lotPublicKey,
    offer: {price: "9876543.21", duration_days: "365", quality: "优良", project_manager: "李四"},
    documents: [new File([body], "技术标.pdf", {type: "application/pdf"}), small],
  });
  const files = {};
  for (const index of draft.fileIndices()) {
    files[index] = [];
    for await (const chunk of draft.chunks(index)) files[index].push(I.b64(chunk));
  }
  await draft.checkUpload((index) => files[index].map((c) => I.unb64(c)));
  let refused = null;
  try {
    await draft.checkUpload((index) => (index === 1 ? files[1].slice(0, 2) : files[index])
      .map((c) => I.unb64(c)));
  } catch (error) { refused = {part: error.part, message: error.message}; }
  return {body: await draft.commitBody(), keyFile: draft.keyFileText(), files, refused};
}"""


def test_a_bid_sealed_in_chromium_opens_with_the_lot_key_after_the_deadline(
    page: Page, live_server: Any, clock: ControlledClock
) -> None:
    world = make_world()
    lot = first_lot(make_tender(world, name="浏览器密封投标"))
    deliver_events(clock)
    context = BidContext(lot=lot.pk, enrolment=41, version=1)
    _with_sealing(page, live_server)
    out = page.evaluate(
        SEAL_SCRIPT,
        [
            {"lot": lot.pk, "enrolment": 41, "version": 1},
            base64.b64encode(lot_key_public(lot)).decode(),
            BIG,
        ],
    )
    # The browser checked its own upload, and noticed a truncated one.
    assert out["refused"]["part"] == "upload" and "file 1" in out["refused"]["message"]
    body = out["body"]
    # The opening: the bidder's key file, the lot key after the deadline, both commitments.
    found_context, bidder_share = sealing.key_file_read(json.loads(out["keyFile"]))
    assert found_context == context
    assert (
        sealing.share_commitment("bidder", bidder_share, context)
        == (body["bidder_share_commitment"])
    )
    clock.set(closes(lot) + timedelta(seconds=1))
    private = lot_key_unwrap(lot, actor=None, now=clock.now)
    platform_share = sealing.platform_share_unwrap(private, body["platform_share"], context)
    assert (
        sealing.share_commitment("platform", platform_share, context)
        == (body["platform_share_commitment"])
    )
    salt = sealing.unb64(body["salt"], size=sealing.SALT_BYTES)
    opened = {}
    for summary in body["files"]:
        index = summary["index"]
        chunks = [base64.b64decode(c) for c in out["files"][str(index)]]
        assert hashlib.sha256(b"".join(chunks)).hexdigest() == summary["sha256"]
        assert (len(chunks), sum(map(len, chunks))) == (summary["chunks"], summary["size"])
        key = sealing.content_key(platform_share, bidder_share, salt, context, index)
        opened[index] = b"".join(sealing.stream_open(key, context, index, chunks))
    assert body["files"][1]["chunks"] == 3
    commitment_key, content = sealing.offer_parse(opened[0])
    assert (
        sealing.content_commitment(commitment_key, content, context) == (body["content_commitment"])
    )
    assert content["offer"]["price"] == "9876543.21"
    assert opened[1] == _pattern(BIG)
    assert opened[2] == "%PDF-1.7\n一份很短的商务标".encode()
    assert [(d["name"], d["sha256"]) for d in content["documents"]] == [
        ("技术标.pdf", hashlib.sha256(opened[1]).hexdigest()),
        ("商务标.pdf", hashlib.sha256(opened[2]).hexdigest()),
    ]


REFUSALS_SCRIPT = """async ([good, tampered, documents]) => {
  const S = TianpingSealing;
  const read = await S.readKeyFile(good);
  const again = await S.readKeyFile(JSON.parse(good));
  const refusals = [];
  for (const text of tampered) {
    try { await S.readKeyFile(text); refusals.push(null); }
    catch (error) { refusals.push(error instanceof S.SealingError ? error.part : String(error)); }
  }
  const lotPublicKey = JSON.parse(documents.lot);
  const documentRefusals = [];
  const cases = [
    [new File(["PK\\u0003\\u0004 zip"], "bid.docx")],
    [new File([], "empty.pdf")],
    [new File(["%PDF-1.7\\n" + "x".repeat(100)], "big.pdf")],
    Array.from({length: 4}, (_, i) => new File(["%PDF-1.7"], i + ".pdf")),
  ];
  for (const docs of cases) {
    try {
      await S.sealBid({context: {lot: 1, enrolment: 2, version: 1}, lotPublicKey,
        offer: {price: "1.00"}, documents: docs, maxDocumentBytes: 100, maxDocuments: 3});
      documentRefusals.push(null);
    } catch (error) { documentRefusals.push(error.part + "/" + error.code); }
  }
  let floatRefused = null;
  try {
    await S.sealBid({context: {lot: 1, enrolment: 2, version: 1}, lotPublicKey,
      offer: {price: 1.5}, documents: []});
  } catch (error) { floatRefused = error.part; }
  return {context: read.context, share: TianpingSealing.internals.b64(read.bidderShare),
          same: JSON.stringify(again.keyFile) === JSON.stringify(read.keyFile),
          refusals, documentRefusals, floatRefused};
}"""


def test_a_tampered_key_file_and_documents_the_format_does_not_carry_are_refused(
    page: Page, live_server: Any
) -> None:
    _with_sealing(page, live_server)
    good = VECTORS["derived"]["key_file"]
    other_share = base64.b64encode(bytes(32)).decode()
    tampered: list[Any] = [
        json.dumps({**good, "version": good["version"] + 1}),
        json.dumps({**good, "lot": str(good["lot"])}),
        json.dumps({**good, "bidder_share": other_share}),
        json.dumps({**good, "bidder_share": good["bidder_share"][:-4]}),
        json.dumps({**good, "commitment": "0" * 64}),
        json.dumps({**good, "format": "tianping-bid-key/2"}),
        json.dumps({k: v for k, v in good.items() if k != "commitment"}),
        json.dumps(good)[:-5],
        "[]",
    ]
    out = page.evaluate(
        REFUSALS_SCRIPT,
        [
            json.dumps(good),
            tampered,
            {"lot": json.dumps(VECTORS["inputs"]["lot_key"]["public_key"])},
        ],
    )
    assert out["context"] == VECTORS["inputs"]["context"]
    assert out["share"] == VECTORS["inputs"]["bidder_share"]
    assert out["same"]
    assert out["refusals"] == ["key_file"] * len(tampered)
    assert out["documentRefusals"] == [
        "document/not_pdf",
        "document/not_pdf",
        "document/too_large",
        "document/too_many",
    ]
    assert out["floatRefused"] == "json"


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    alphabet = [
        "a",
        "Z",
        "0",
        " ",
        '"',
        "\\",
        "\n",
        "\x00",
        "\x1f",
        "\x7f",
        "é",
        "价",
        "\u2028",
        "\ufffd",
        "\uffff",
        "\U0001f600",
        "\U00010000",
        "/",
        "<",
    ]

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))

    kind = rng.randint(0, 6 if depth < 3 else 3)
    if kind == 0:
        return text()
    if kind == 1:
        return rng.choice([0, -1, 1, 2**53 - 1, -(2**53 - 1), rng.randint(-(10**12), 10**12)])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return text()
    if kind in (4, 5):
        return {text(): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def test_canonical_json_is_the_same_text_in_python_and_in_chromium(
    page: Page, live_server: Any
) -> None:
    rng = random.Random(12)
    values = [_random_json(rng) for _ in range(400)]
    _with_sealing(page, live_server)
    texts = page.evaluate("(values) => values.map((v) => TianpingSealing.canonicalJson(v))", values)
    assert texts == [sealing.canonical_json(value).decode() for value in values]
