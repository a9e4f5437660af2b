"""Our calls of the library compute the primitives the sealing format names (bidding/SEALING.md).

Every expected value here is copied from a published test vector, never produced by our code:
RFC 5869 (HKDF-SHA256), McGrew & Viega's GCM specification (AES-256-GCM), RFC 8032 (Ed25519)
and RFC 5903 §8.1 (ECDH on P-256).
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bidding.domain import sealing
from bidding.domain.sealing import BidContext
from trading.signing import verify_signature

H = bytes.fromhex

# RFC 5869 Appendix A, test cases 1-3 (SHA-256). Our HKDF makes 32-byte keys; HKDF output is a
# prefix of any longer output with the same inputs, so the first 32 bytes of each OKM must match.
RFC5869 = [
    (
        H("0b" * 22),
        H("000102030405060708090a0b0c"),
        H("f0f1f2f3f4f5f6f7f8f9"),
        H("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
    ),
    (
        bytes(range(0x00, 0x50)),
        bytes(range(0x60, 0xB0)),
        bytes(range(0xB0, 0x100)),
        H(
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
            "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
            "cc30c58179ec3e87c14c01d5c1f3434f1d87"
        ),
    ),
    (
        H("0b" * 22),
        b"",
        b"",
        H("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
    ),
]


@pytest.mark.parametrize(("ikm", "salt", "info", "okm"), RFC5869, ids=["case1", "case2", "case3"])
def test_the_format_s_hkdf_is_rfc_5869_hkdf_sha256(ikm, salt, info, okm):
    assert sealing._hkdf(ikm, salt, info) == okm[:32]


# The Galois/Counter Mode of Operation (McGrew & Viega, 2005), test cases 13, 14 and 16 (AES-256).
GCM = [
    (H("00" * 32), H("00" * 12), b"", b"", b"", H("530f8afbc74536b9a963b4f1c4cb738b")),
    (
        H("00" * 32),
        H("00" * 12),
        H("00" * 16),
        b"",
        H("cea7403d4d606b6e074ec5d3baf39d18"),
        H("d0d1c8a799996bf0265b98b5d48ab919"),
    ),
    (
        H("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),
        H("cafebabefacedbaddecaf888"),
        H(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
        ),
        H("feedfacedeadbeeffeedfacedeadbeefabaddad2"),
        H(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        ),
        H("76fc6ece0f4e1768cddf8853bb2d551b"),
    ),
]


@pytest.mark.parametrize(
    ("key", "iv", "plain", "aad", "cipher", "tag"), GCM, ids=["case13", "case14", "case16"]
)
def test_aes_256_gcm_as_called_seals_to_the_published_ciphertext_and_tag(
    key, iv, plain, aad, cipher, tag
):
    # The format's calls: AESGCM(key).encrypt(nonce, data, aad) -> ciphertext || 16-byte tag.
    assert AESGCM(key).encrypt(iv, plain, aad or None) == cipher + tag
    assert AESGCM(key).decrypt(iv, cipher + tag, aad or None) == plain


# RFC 5903 §8.1, the 256-bit random ECP group (P-256).
RFC5903_I = int("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433", 16)
RFC5903_GI = H(
    "04DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
    "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3"
)
RFC5903_R = int("C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53", 16)
RFC5903_GR = H(
    "04D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
    "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB"
)
RFC5903_GIR_X = H("D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE")


def test_points_travel_as_the_uncompressed_encoding_of_rfc_5903():
    private = ec.derive_private_key(RFC5903_I, ec.SECP256R1())
    assert sealing.public_key_bytes(private.public_key()) == RFC5903_GI
    assert sealing.public_key_bytes(sealing.public_key_load(RFC5903_GR)) == RFC5903_GR


def test_the_wrap_key_comes_from_the_rfc_5903_shared_secret():
    """A platform share wrapped with the RFC's r to the RFC's g^i opens with the published Z."""
    context = BidContext(lot=7, enrolment=11, version=1)
    share = bytes(range(32))
    nonce = H("000102030405060708090a0b")
    envelope = sealing.platform_share_wrap(
        RFC5903_GI,
        share,
        context,
        ephemeral=ec.derive_private_key(RFC5903_R, ec.SECP256R1()),
        nonce=nonce,
    )
    assert base64.b64decode(envelope["ephemeral"]) == RFC5903_GR
    # Recompute the envelope from the published Z and the RFC-checked HKDF and AES-GCM.
    info = b"tianping/1/wrap\x00lot=7;enrolment=11;version=1"
    key = sealing._hkdf(RFC5903_GIR_X, b"", info)
    assert base64.b64decode(envelope["wrapped"]) == AESGCM(key).encrypt(nonce, share, info)
    lot_private = ec.derive_private_key(RFC5903_I, ec.SECP256R1())
    assert sealing.platform_share_unwrap(lot_private, envelope, context) == share


# RFC 8032 §7.1, TEST 1 and TEST 2: receipts are verified with the platform's Ed25519 key.
RFC8032 = [
    (
        H("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
        H("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
        b"",
        H(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
            "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
    ),
    (
        H("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"),
        H("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"),
        H("72"),
        H(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
    ),
]


@pytest.mark.parametrize(("seed", "public", "message", "signature"), RFC8032, ids=["t1", "t2"])
def test_receipt_signatures_are_rfc_8032_ed25519(seed, public, message, signature):
    key = Ed25519PrivateKey.from_private_bytes(seed)
    assert key.sign(message) == signature
    public_b64 = base64.b64encode(public).decode()
    assert verify_signature(public_b64, message, base64.b64encode(signature).decode())
    forged = bytes([signature[0] ^ 1]) + signature[1:]
    assert not verify_signature(public_b64, message, base64.b64encode(forged).decode())
