/*
 * The sealed-bid format, version 1, in the browser (bidding/SEALING.md).
 *
 * The WebCrypto twin of bidding/domain/sealing.py and bidding/client.py: ECDH P-256, HKDF-SHA256
 * and AES-256-GCM from crypto.subtle, documents read a chunk at a time with Blob.slice, so a
 * 50 MB PDF never sits in one buffer. Held to bidding/sealing_vectors.json in Chromium
 * (tests/browser/test_sealing_in_chromium.py). K_bidder leaves this file only in the key file
 * the bidder saves; nothing here talks to the server.
 *
 * window.TianpingSealing:
 *   sealBid({context: {lot, enrolment, version}, lotPublicKey: b64, offer, documents: [File|Blob]})
 *     -> Promise<draft>; draft.fileIndices(), draft.chunks(index) (async generator of Uint8Array),
 *        draft.commitBody() (Promise), draft.keyFile(), draft.keyFileText(),
 *        draft.checkUpload(fetchChunks) (Promise; fetchChunks(index) -> chunks, see below)
 *   readKeyFile(textOrObject) -> Promise<{context, bidderShare, keyFile}>
 *   shareCommitment(role, share, context) -> Promise<hex>
 *   canonicalJson(value) -> string
 * Every refusal is a SealingError (an Error with .part, .code and .detail).
 */
(function () {
  "use strict";

  const FORMAT = "tianping-sealed/1";
  const KEY_FILE_FORMAT = "tianping-bid-key/1";
  const RECEIPT_FORMAT = "tianping-receipt/1";
  const SUITE = "ecdh-p256+hkdf-sha256+aes-256-gcm;commit=sha256,hmac-sha256;sign=ed25519";
  const SHARE_BYTES = 32;
  const SALT_BYTES = 32;
  const COMMITMENT_KEY_BYTES = 32;
  const NONCE_BYTES = 12;
  const POINT_BYTES = 65;
  const TAG_BYTES = 16;
  const CHUNK_SIZE = 1 << 20;
  const MAX_CHUNKS = 1 << 16;
  const OFFER_FILE = 0;
  const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"
  const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
  const MAX_DOCUMENTS = 20;
  const MAX_SAFE = 9007199254740991;

  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  const encoder = new TextEncoder();

  class SealingError extends Error {
    constructor(part, code, detail) {
      super(detail ? part + ": " + detail : part);
      this.name = "SealingError";
      this.part = part;
      this.code = code || part;
      this.detail = detail || "";
    }
  }

  function requireSubtle() {
    if (!subtle) {
      // WebCrypto exists only in secure contexts (https, or http on localhost).
      throw new SealingError("crypto", "no_webcrypto", "this page is not a secure context");
    }
  }

  // --- bytes and encodings --------------------------------------------------------------------

  function concat(...parts) {
    let size = 0;
    for (const part of parts) size += part.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  function utf8(text) {
    return encoder.encode(text);
  }

  function toBytes(value) {
    if (value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) {
      return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
    throw new SealingError("bytes", "not_bytes", "expected bytes");
  }

  function b64(bytes) {
    bytes = toBytes(bytes);
    let binary = "";
    for (let at = 0; at < bytes.length; at += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(at, at + 0x8000));
    }
    return btoa(binary);
  }

  function unb64(text, size, part) {
    part = part || "base64";
    if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
      throw new SealingError(part, "not_base64", "not base64");
    }
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    if (size !== undefined && out.length !== size) {
      throw new SealingError(part, "wrong_size", "expected " + size + " bytes, got " + out.length);
    }
    return out;
  }

  function hex(bytes) {
    return Array.from(toBytes(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function equalBytes(a, b) {
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }

  function randomBytes(size) {
    return globalThis.crypto.getRandomValues(new Uint8Array(size));
  }

  // --- canonical JSON (Python: json.dumps(sort_keys=True, separators=(",", ":"),
  // ensure_ascii=False)): keys sorted by code point, strings, safe integers, booleans, null. ----

  function codePointCompare(a, b) {
    const x = Array.from(a, (c) => c.codePointAt(0));
    const y = Array.from(b, (c) => c.codePointAt(0));
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return x[i] - y[i];
    }
    return x.length - y.length;
  }

  function wellFormed(text) {
    if (typeof text.isWellFormed === "function") return text.isWellFormed();
    return !/[\ud800-\udbff](?![\udc00-\udfff])|(?:[^\ud800-\udbff]|^)[\udc00-\udfff]/.test(text);
  }

  function canonicalJson(value) {
    if (value === null) return "null";
    if (value === true) return "true";
    if (value === false) return "false";
    if (typeof value === "string") {
      if (!wellFormed(value)) {
        throw new SealingError("json", "bad_text", "text is not valid Unicode");
      }
      return JSON.stringify(value);
    }
    if (typeof value === "number") {
      // Floats differ between JSON writers; amounts travel as decimal strings.
      if (!Number.isInteger(value) || Math.abs(value) > MAX_SAFE) {
        throw new SealingError("json", "bad_number", "only whole numbers up to 2^53-1 are allowed");
      }
      return Object.is(value, -0) ? "0" : String(value);
    }
    if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
    if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
      const keys = Object.keys(value).sort(codePointCompare);
      return (
        "{" +
        keys.map((key) => canonicalJson(key) + ":" + canonicalJson(value[key])).join(",") +
        "}"
      );
    }
    throw new SealingError("json", "bad_value", typeof value + " is not allowed");
  }

  // --- SHA-256 in steps: WebCrypto digests only whole buffers -----------------------------------

  const K256 = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  class Sha256 {
    constructor() {
      this.h = new Uint32Array([
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
      ]);
      this.block = new Uint8Array(64);
      this.filled = 0;
      this.length = 0;
      this.w = new Uint32Array(64);
    }

    compress(data, at) {
      const w = this.w;
      for (let i = 0; i < 16; i++) {
        const j = at + i * 4;
        w[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
      }
      for (let i = 16; i < 64; i++) {
        const a = w[i - 15];
        const b = w[i - 2];
        const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
        const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      const h = this.h;
      let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (let i = 0; i < 64; i++) {
        const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (k + s1 + ((e & f) ^ (~e & g)) + K256[i] + w[i]) | 0;
        const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }

    update(bytes) {
      bytes = toBytes(bytes);
      this.length += bytes.length;
      let at = 0;
      if (this.filled) {
        const take = Math.min(64 - this.filled, bytes.length);
        this.block.set(bytes.subarray(0, take), this.filled);
        this.filled += take;
        at = take;
        if (this.filled < 64) return this;
        this.compress(this.block, 0);
        this.filled = 0;
      }
      for (; at + 64 <= bytes.length; at += 64) this.compress(bytes, at);
      this.block.set(bytes.subarray(at), 0);
      this.filled = bytes.length - at;
      return this;
    }

    hexdigest() {
      const bits = this.length * 8;
      const tail = new Uint8Array(((this.filled + 8) >> 6) * 64 + 64 - this.filled);
      tail[0] = 0x80;
      const view = new DataView(tail.buffer);
      view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
      view.setUint32(tail.length - 4, bits >>> 0);
      this.update(tail);
      return Array.from(this.h, (word) => word.toString(16).padStart(8, "0")).join("");
    }
  }

  async function sha256Hex(bytes) {
    requireSubtle();
    return hex(await subtle.digest("SHA-256", toBytes(bytes)));
  }

  // --- the context, keys and commitments -------------------------------------------------------

  function contextOf(context) {
    const numbers = ["lot", "enrolment", "version"].map((name) => context && context[name]);
    if (!numbers.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw new SealingError(
        "context", "bad_context", "lot, enrolment and version are whole numbers");
    }
    return { lot: numbers[0], enrolment: numbers[1], version: numbers[2] };
  }

  function contextBytes(context) {
    return utf8(
      "lot=" + context.lot + ";enrolment=" + context.enrolment + ";version=" + context.version,
    );
  }

  function fileContextBytes(context, index) {
    return concat(contextBytes(context), utf8(";file=" + index));
  }

  const LABEL = "tianping/1/";

  async function hkdf(ikm, salt, info) {
    const base = await subtle.importKey("raw", toBytes(ikm), "HKDF", false, ["deriveBits"]);
    const bits = await subtle.deriveBits(
      { name: "HKDF", hash: "SHA-256", salt: toBytes(salt), info: toBytes(info) },
      base,
      256,
    );
    return new Uint8Array(bits);
  }

  function aesKey(raw) {
    return subtle.importKey("raw", toBytes(raw), "AES-GCM", false, ["encrypt", "decrypt"]);
  }

  const P256 = { name: "ECDH", namedCurve: "P-256" };

  function gcm(iv, additionalData) {
    return { name: "AES-GCM", iv: iv, additionalData: additionalData, tagLength: 128 };
  }

  async function shareCommitment(role, share, context) {
    requireSubtle();
    if (role !== "platform" && role !== "bidder") throw new SealingError("role", "bad_role", role);
    share = toBytes(share);
    if (share.length !== SHARE_BYTES) {
      throw new SealingError("share", "wrong_size", "expected " + SHARE_BYTES + " bytes");
    }
    const message = concat(
      utf8(LABEL + "share\0" + role + "\0"),
      contextBytes(contextOf(context)),
      utf8("\0"),
      share,
    );
    return sha256Hex(message);
  }

  async function contentCommitment(key, content, context) {
    requireSubtle();
    key = toBytes(key);
    if (key.length !== COMMITMENT_KEY_BYTES) {
      throw new SealingError("commitment_key", "wrong_size", "expected 32 bytes");
    }
    const message = concat(
      utf8(LABEL + "content\0"),
      contextBytes(contextOf(context)),
      utf8("\0"),
      utf8(canonicalJson(content)),
    );
    const hmacKey = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    return hex(await subtle.sign("HMAC", hmacKey, message));
  }

  async function contentKey(platformShare, bidderShare, salt, context, index) {
    return hkdf(
      concat(toBytes(platformShare), toBytes(bidderShare)),
      salt,
      concat(utf8(LABEL + "content-key\0"), fileContextBytes(context, index)),
    );
  }

  function chunkNonce(counter, last) {
    if (!(Number.isInteger(counter) && counter >= 0 && counter < MAX_CHUNKS)) {
      throw new SealingError("chunk", "counter", "counter out of range");
    }
    const nonce = new Uint8Array(NONCE_BYTES);
    new DataView(nonce.buffer).setUint32(7, counter);
    nonce[11] = last ? 1 : 0;
    return nonce;
  }

  function chunkAad(context, index, counter, last) {
    return concat(
      utf8(LABEL + "chunk\0"),
      fileContextBytes(context, index),
      utf8("\0"),
      chunkNonce(counter, last).subarray(7),
    );
  }

  async function chunkSeal(key, context, index, counter, last, data) {
    const params = gcm(chunkNonce(counter, last), chunkAad(context, index, counter, last));
    const sealed = await subtle.encrypt(params, key, data);
    return new Uint8Array(sealed);
  }

  async function chunkOpen(key, context, index, counter, last, data, chunkSize) {
    data = toBytes(data);
    if (data.length > chunkSize + TAG_BYTES || (!last && data.length !== chunkSize + TAG_BYTES)) {
      const where = "file " + index + " chunk " + counter;
      throw new SealingError("content", "chunk_size", where + " has the wrong size");
    }
    try {
      const params = gcm(chunkNonce(counter, last), chunkAad(context, index, counter, last));
      const plain = await subtle.decrypt(params, key, data);
      return new Uint8Array(plain);
    } catch (error) {
      const where = "file " + index + " chunk " + counter;
      throw new SealingError("content", "authentication", where + " failed authentication");
    }
  }

  // --- the platform share's envelope ------------------------------------------------------------

  async function platformShareWrap(lotPublicKey, platformShare, context, fixed) {
    const point = unb64(lotPublicKey, POINT_BYTES, "public_key");
    let lotKey;
    try {
      lotKey = await subtle.importKey("raw", point, P256, false, []);
    } catch (error) {
      throw new SealingError("public_key", "bad_point", "not an uncompressed P-256 point");
    }
    let ephemeral;
    if (fixed && fixed.ephemeralJwk) {
      const jwk = fixed.ephemeralJwk;
      const privateKey = await subtle.importKey("jwk", jwk, P256, false, ["deriveBits"]);
      const publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
      const publicKey = await subtle.importKey("jwk", publicJwk, P256, true, []);
      ephemeral = { privateKey, publicKey };
    } else {
      ephemeral = await subtle.generateKey(P256, true, ["deriveBits"]);
    }
    const shared = new Uint8Array(
      await subtle.deriveBits({ name: "ECDH", public: lotKey }, ephemeral.privateKey, 256),
    );
    const info = concat(utf8(LABEL + "wrap\0"), contextBytes(context));
    const key = await aesKey(await hkdf(shared, new Uint8Array(0), info));
    const nonce = fixed && fixed.wrapNonce ? toBytes(fixed.wrapNonce) : randomBytes(NONCE_BYTES);
    const wrapped = await subtle.encrypt(gcm(nonce, info), key, platformShare);
    return {
      ephemeral: b64(await subtle.exportKey("raw", ephemeral.publicKey)),
      nonce: b64(nonce),
      wrapped: b64(wrapped),
    };
  }

  // --- documents: checked, hashed and read a chunk at a time ------------------------------------

  async function readSlice(blob, start, end) {
    return new Uint8Array(await blob.slice(start, end).arrayBuffer());
  }

  async function documentDescribe(blob, number, chunkSize) {
    const digest = new Sha256();
    for (let at = 0; at < blob.size; at += chunkSize) {
      digest.update(await readSlice(blob, at, Math.min(blob.size, at + chunkSize)));
    }
    return { file: number, name: blob.name, size: blob.size, sha256: digest.hexdigest() };
  }

  async function documentCheck(blob, limit) {
    if (!(blob instanceof Blob)) {
      throw new SealingError("document", "not_a_file", "a document must be a File or Blob");
    }
    const name = typeof blob.name === "string" ? blob.name : "";
    if (!name.trim()) throw new SealingError("document", "no_name", "a document needs a file name");
    if (blob.size > limit) {
      const detail = name + ": " + blob.size + " bytes is more than the limit of " + limit;
      const error = new SealingError("document", "too_large", detail + " bytes");
      error.document = name;
      throw error;
    }
    const head = await readSlice(blob, 0, PDF_MAGIC.length);
    if (head.length !== PDF_MAGIC.length || PDF_MAGIC.some((byte, i) => head[i] !== byte)) {
      const detail = name + ": not a PDF file (it does not start with %PDF-)";
      const error = new SealingError("document", "not_pdf", detail);
      error.document = name;
      throw error;
    }
  }

  // --- the draft -----------------------------------------------------------------------------

  function asBytesSource(bytes) {
    return new Blob([bytes]);
  }

  async function sealBid(options) {
    requireSubtle();
    const context = contextOf(options.context);
    const chunkSize = options.chunkSize || CHUNK_SIZE;
    const maxBytes = options.maxDocumentBytes || MAX_DOCUMENT_BYTES;
    const maxDocuments = options.maxDocuments || MAX_DOCUMENTS;
    const fixed = options.fixed || null; // test vectors only: fixed shares, salt, keys, nonce
    const documents = Array.from(options.documents || []);
    const offer = options.offer;
    if (!offer || typeof offer !== "object" || Array.isArray(offer)) {
      throw new SealingError("offer", "bad_offer", "the offer is an object");
    }
    if (documents.length > maxDocuments) {
      const detail = "a bid carries at most " + maxDocuments + " documents";
      throw new SealingError("document", "too_many", detail);
    }
    for (const blob of documents) await documentCheck(blob, maxBytes);
    const sizes = documents.map((blob) => blob.size);
    const described = [];
    for (let i = 0; i < documents.length; i++) {
      described.push(await documentDescribe(documents[i], i + 1, chunkSize));
    }
    const content = { offer: offer, documents: described };
    canonicalJson(content); // refuses floats and the like before anything is generated
    const pick = (name, size) =>
      fixed && fixed[name] ? unb64(fixed[name], size, name) : randomBytes(size);
    const platformShare = pick("platformShare", SHARE_BYTES);
    const bidderShare = pick("bidderShare", SHARE_BYTES);
    const salt = pick("salt", SALT_BYTES);
    const commitmentKey = pick("commitmentKey", COMMITMENT_KEY_BYTES);
    const wrapFixed = fixed && {
      ephemeralJwk: fixed.ephemeralJwk,
      wrapNonce: fixed.wrapNonce ? unb64(fixed.wrapNonce, NONCE_BYTES, "wrap_nonce") : null,
    };
    const envelope = await platformShareWrap(
      options.lotPublicKey, platformShare, context, wrapFixed);
    const offerBytes = utf8(
      canonicalJson({
        format: FORMAT, commitment_key: b64(commitmentKey), offer: offer, documents: described,
      }),
    );
    const offerSha256 = new Sha256().update(offerBytes).hexdigest();
    const bidderCommitment = await shareCommitment("bidder", bidderShare, context);
    const keys = new Map();
    const summaries = new Map();

    function source(index) {
      if (!Number.isInteger(index) || index < 0 || index > documents.length) {
        throw new SealingError("file", "no_file", "this bid has no file " + index);
      }
      if (index === OFFER_FILE) return asBytesSource(offerBytes);
      const blob = documents[index - 1];
      if (blob.size !== sizes[index - 1]) {
        throw new SealingError("document", "changed", blob.name + ": changed since it was sealed");
      }
      return blob;
    }

    async function keyOf(index) {
      if (!keys.has(index)) {
        const raw = await contentKey(platformShare, bidderShare, salt, context, index);
        keys.set(index, await aesKey(raw));
      }
      return keys.get(index);
    }

    async function* chunks(index) {
      const blob = source(index);
      const key = await keyOf(index);
      const count = Math.max(1, Math.ceil(blob.size / chunkSize));
      // Hashed on the way out: a page that uploads every chunk gets the commit body's file
      // summary without encrypting the file a second time.
      const digest = new Sha256();
      let size = 0;
      for (let counter = 0; counter < count; counter++) {
        const start = counter * chunkSize;
        const data = await readSlice(blob, start, Math.min(blob.size, start + chunkSize));
        const chunk = await chunkSeal(key, context, index, counter, counter === count - 1, data);
        digest.update(chunk);
        size += chunk.length;
        yield chunk;
      }
      if (!summaries.has(index)) {
        summaries.set(index, { index, chunks: count, size, sha256: digest.hexdigest() });
      }
    }

    async function fileSummary(index) {
      if (!summaries.has(index)) {
        for await (const _chunk of chunks(index)); // eslint-disable-line no-unused-vars
      }
      return Object.assign({}, summaries.get(index));
    }

    function fileIndices() {
      return [OFFER_FILE].concat(documents.map((_, i) => i + 1));
    }

    function keyFile() {
      return {
        format: KEY_FILE_FORMAT,
        lot: context.lot,
        enrolment: context.enrolment,
        version: context.version,
        bidder_share: b64(bidderShare),
        commitment: bidderCommitment,
      };
    }

    async function commitBody() {
      const files = [];
      for (const index of fileIndices()) files.push(await fileSummary(index));
      return {
        suite: SUITE,
        salt: b64(salt),
        platform_share: Object.assign({}, envelope),
        platform_share_commitment: await shareCommitment("platform", platformShare, context),
        bidder_share_commitment: bidderCommitment,
        content_commitment: await contentCommitment(commitmentKey, content, context),
        files: files,
      };
    }

    // fetchChunks(index) returns (or resolves to) an array or (async) iterable of the stored
    // chunks of that file, each a Uint8Array, ArrayBuffer or Blob.
    async function checkUpload(fetchChunks) {
      for (const index of fileIndices()) {
        const expected = index === OFFER_FILE ? offerSha256 : described[index - 1].sha256;
        const key = await keyOf(index);
        const opened = new Sha256();
        const stored = await fetchChunks(index);
        const iterator = (stored[Symbol.asyncIterator] || stored[Symbol.iterator]).call(stored);
        let current = await iterator.next();
        if (current.done) {
          throw new SealingError("upload", "missing", "file " + index + " has no chunk");
        }
        let counter = 0;
        while (!current.done) {
          const following = await iterator.next();
          let data = current.value;
          if (data instanceof Blob) data = new Uint8Array(await data.arrayBuffer());
          try {
            const last = following.done;
            opened.update(await chunkOpen(key, context, index, counter, last, data, chunkSize));
          } catch (error) {
            if (error instanceof SealingError) {
              throw new SealingError("upload", error.code, "file " + index + ": " + error.detail);
            }
            throw error;
          }
          current = following;
          counter += 1;
        }
        if (opened.hexdigest() !== expected) {
          const detail = "file " + index + " differs from what was sealed";
          throw new SealingError("upload", "differs", detail);
        }
      }
    }

    return {
      context: Object.assign({}, context),
      chunkSize: chunkSize,
      content: content,
      fileIndices: fileIndices,
      chunks: chunks,
      fileSummary: fileSummary,
      commitBody: commitBody,
      keyFile: keyFile,
      keyFileText: () => canonicalJson(keyFile()),
      checkUpload: checkUpload,
    };
  }

  // --- the key file ------------------------------------------------------------------------------

  async function readKeyFile(textOrObject) {
    requireSubtle();
    let document = textOrObject;
    if (typeof textOrObject === "string") {
      try {
        document = JSON.parse(textOrObject);
      } catch (error) {
        throw new SealingError("key_file", "not_json", "not a Tianping bid key file");
      }
    }
    const isObject = document && typeof document === "object" && !Array.isArray(document);
    if (!isObject || document.format !== KEY_FILE_FORMAT) {
      throw new SealingError("key_file", "format", "not a Tianping bid key file");
    }
    let context;
    try {
      context = contextOf(document);
    } catch (error) {
      const detail = "lot, enrolment and version must be whole numbers";
      throw new SealingError("key_file", "malformed", detail);
    }
    const share = unb64(document.bidder_share, SHARE_BYTES, "key_file");
    const commitment = await shareCommitment("bidder", share, context);
    const claimed = document.commitment;
    if (typeof claimed !== "string" || !equalBytes(utf8(commitment), utf8(claimed))) {
      const detail = "the share does not match the file's own commitment";
      throw new SealingError("key_file", "commitment", detail);
    }
    return {
      context: context,
      bidderShare: share,
      keyFile: {
        format: KEY_FILE_FORMAT,
        lot: context.lot,
        enrolment: context.enrolment,
        version: context.version,
        bidder_share: b64(share),
        commitment: commitment,
      },
    };
  }

  globalThis.TianpingSealing = Object.freeze({
    FORMAT,
    KEY_FILE_FORMAT,
    RECEIPT_FORMAT,
    SUITE,
    CHUNK_SIZE,
    TAG_BYTES,
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENTS,
    SealingError,
    sealBid,
    readKeyFile,
    shareCommitment,
    contentCommitment,
    canonicalJson,
    // Lower-level pieces, for the vectors and a third client's debugging.
    internals: Object.freeze({
      b64,
      unb64,
      hex,
      Sha256,
      sha256Hex,
      contentKey: async (p, b, s, c, i) => hex(await contentKey(p, b, s, contextOf(c), i)),
      chunkNonce: (counter, last) => hex(chunkNonce(counter, last)),
      chunkAad: (c, i, counter, last) => hex(chunkAad(contextOf(c), i, counter, last)),
      chunkOpen: async (rawKey, c, i, counter, last, data, chunkSize) => {
        const key = await aesKey(rawKey);
        return chunkOpen(key, contextOf(c), i, counter, last, data, chunkSize || CHUNK_SIZE);
      },
    }),
  });
})();
