"""Signing on a PKCS#11 token (the USB tokens and HSMs public CAs issue): `--cert-key pkcs11:…`.

The token is named by an RFC 7512 PKCS#11 URI, `pkcs11:token=<label>;object=<label>` (or `id=`
in place of `object=`, `serial=` beside `token=`), the module (the vendor's `.so`) by
`--pkcs11-module`, the URI's `module-path` or `$INFRALEDGER_PKCS11_MODULE`, the user PIN by a
file (never the command line or the URI). The private key never leaves the token: the token
makes the one signature of a CMS (CKM_SHA256_RSA_PKCS for RSA; CKM_ECDSA over the SHA-256
digest for ECDSA, its r‖s turned into DER), and `client.certificates.sign_cms` builds the rest,
as for a key file. The certificate and chain come from the token, or from a PEM file.

`add_signer_options` and `certificate_signer` are the `--cert-key` options and the signer they
choose, a key file or a token, for every command that signs with an organisation certificate
(`infraledger submit`, `infraledger report`).

Every failure is a `TokenError` whose message says it in Vietnamese, then English, on one line.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote_to_bytes

import pkcs11
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass, TokenFlag

from client.certificates import CertificateSigner, load_certificate_key
from client.errors import BadKeyFile, ClientError, bilingual
from client.messages import Lang, option_help

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Module

URI_SCHEME: Final = "pkcs11:"
MODULE_ENV: Final = "INFRALEDGER_PKCS11_MODULE"
PATH_ATTRIBUTES: Final = frozenset({"token", "serial", "object", "id", "type"})
"""RFC 7512 §2.3 path attributes this client reads; `type` is allowed and not needed (the
key and its certificate are both looked up)."""
PROBE: Final = b"InfraLedger: does this token key belong to the certificate?\n"
SIGNER_OPTIONS: Final = (("--cert-key", "cert_key"), ("--cert-password-file", "cert_password_file"),
                         ("--pkcs11-module", "pkcs11_module"), ("--cert-pin-file", "cert_pin_file"),
                         ("--cert-chain", "cert_chain"), ("--tsa", "tsa"))
"""The options `add_signer_options` adds, with their argparse destinations."""
TOKEN_OPTIONS: Final = frozenset({"--pkcs11-module", "--cert-pin-file", "--cert-chain"})


class TokenError(ClientError):
    """A PKCS#11 token that cannot be used to sign."""

    code = "token_error"


class TokenModuleNotFound(TokenError):
    """No PKCS#11 module given, or the file is missing or is not a PKCS#11 module."""

    code = "token_module_not_found"


class TokenNotFound(TokenError):
    """No token (or more than one) matches the URI."""

    code = "token_not_found"


class TokenPinRefused(TokenError):
    """The token refused the user PIN (wrong, malformed or locked), or no PIN file is readable."""

    code = "token_pin_refused"


class TokenObjectNotFound(TokenError):
    """No private key, or no certificate, on the token matches the URI's object."""

    code = "token_object_not_found"


class TokenKeyMismatch(TokenError):
    """The token's key does not belong to the certificate, or is neither RSA nor ECDSA."""

    code = "token_key_mismatch"


@dataclass(frozen=True)
class TokenUri:
    """What a `pkcs11:` URI names (RFC 7512): a token, an object on it, maybe a module."""

    token: str | None
    serial: str | None
    object: str | None
    id: bytes | None
    module_path: str | None


def add_signer_options(parser: argparse.ArgumentParser, *, lang: Lang, cert_key_help: str,
                       tsa_help: str) -> None:
    """Add `SIGNER_OPTIONS` to `parser`, for `certificate_signer`, their help in `lang`;
    `cert_key_help` and `tsa_help` say what the command signs and time-stamps."""
    parser.add_argument("--cert-key", metavar="FILE|URI", help=cert_key_help)
    parser.add_argument(
        "--cert-password-file", type=Path, metavar="FILE",
        help=option_help(lang, "cert_password_file"),
    )
    parser.add_argument(
        "--pkcs11-module", metavar="PATH",
        help=option_help(lang, "pkcs11_module", variable=MODULE_ENV),
    )
    parser.add_argument(
        "--cert-pin-file", type=Path, metavar="FILE", help=option_help(lang, "cert_pin_file"),
    )
    parser.add_argument(
        "--cert-chain", type=Path, metavar="FILE.pem", help=option_help(lang, "cert_chain"),
    )
    parser.add_argument("--tsa", metavar="URL", help=tsa_help)


def given_signer_options(args: argparse.Namespace) -> list[str]:
    """The `SIGNER_OPTIONS` given on the command line, in that order."""
    return [option for option, name in SIGNER_OPTIONS if getattr(args, name) is not None]


def certificate_signer(args: argparse.Namespace) -> AbstractContextManager[
        CertificateSigner | None]:
    """The signer of `--cert-key` (`add_signer_options`): none, a key file, or a PKCS#11 token
    held open while the context lasts. Raises `BadKeyFile` for options of the other kind of
    signer and for `--tsa` without `--cert-key`, else what `load_certificate_key` or
    `open_token_signer` raises."""
    token_options = [option for option in given_signer_options(args) if option in TOKEN_OPTIONS]
    if args.cert_key is not None and is_token_uri(args.cert_key):
        if args.cert_password_file is not None:
            raise BadKeyFile("--cert-password-file dành cho tệp khóa; token dùng "
                             "--cert-pin-file / --cert-password-file is for a key file; a "
                             "token takes --cert-pin-file")
        return open_token_signer(args.cert_key, module=args.pkcs11_module,
                                 pin_file=args.cert_pin_file, chain_file=args.cert_chain)
    if token_options:
        raise BadKeyFile(f"{token_options[0]} chỉ dùng với --cert-key pkcs11:… / "
                         f"{token_options[0]} is for a --cert-key pkcs11: URI")
    if args.cert_key is None:
        if args.tsa is not None:
            raise BadKeyFile("--tsa đóng dấu thời gian cho chữ ký --cert-key / --tsa "
                             "time-stamps the --cert-key signature")
        return nullcontext(None)
    return nullcontext(load_certificate_key(Path(args.cert_key), args.cert_password_file))


def is_token_uri(text: str) -> bool:
    """Whether a `--cert-key` value names a token rather than a file."""
    return text.startswith(URI_SCHEME)


def parse_token_uri(text: str) -> TokenUri:
    """Read a PKCS#11 URI (RFC 7512 §2.3): `;`-separated path attributes, percent-encoded,
    then an optional `?` query of which `module-path` is read.

    Raises `TokenObjectNotFound` for a URI that is malformed, names no object (neither
    `object` nor `id`), or uses an attribute this client does not read; `TokenPinRefused` for
    `pin-value` or `pin-source` (the PIN comes from `--cert-pin-file`).
    """
    if not is_token_uri(text):
        raise TokenObjectNotFound(bilingual(f"không phải URI PKCS#11: {text!r}",
                                            f"not a PKCS#11 URI: {text!r}"))
    path, _, query = text[len(URI_SCHEME):].partition("?")
    attributes = _pairs(path, ";", ("phần đường dẫn", "path"))
    queried = _pairs(query, "&", ("phần truy vấn", "query"))
    unknown = sorted(set(attributes) - PATH_ATTRIBUTES) + sorted(set(queried) - {"module-path"})
    if {"pin-value", "pin-source"} & set(queried):
        raise TokenPinRefused(bilingual("không đặt mã PIN trong URI; dùng --cert-pin-file",
                                        "the PIN never goes in the URI; use --cert-pin-file"))
    if unknown:
        raise TokenObjectNotFound(bilingual(f"URI PKCS#11 có thuộc tính không hỗ trợ: {unknown[0]}",
                                            f"unsupported PKCS#11 URI attribute: {unknown[0]}"))
    if "object" not in attributes and "id" not in attributes:
        raise TokenObjectNotFound(bilingual(f"URI PKCS#11 thiếu object= hoặc id=: {text}",
                                            f"the PKCS#11 URI names no object= or id=: {text}"))

    def read(name: str, pairs: Mapping[str, bytes]) -> str | None:
        value = pairs.get(name)
        return None if value is None else value.decode("utf-8", errors="replace")

    return TokenUri(token=read("token", attributes), serial=read("serial", attributes),
                    object=read("object", attributes), id=attributes.get("id"),
                    module_path=read("module-path", queried))


def _pairs(part: str, separator: str, where: tuple[str, str]) -> dict[str, bytes]:
    """The `name=value` items of a URI part. A malformed one is named by its position only:
    it may be a PIN someone put there."""
    pairs: dict[str, bytes] = {}
    for position, item in enumerate(part.split(separator) if part else [], start=1):
        name, equals, value = item.partition("=")
        if not equals or not name or name in pairs:
            raise TokenObjectNotFound(bilingual(
                f"URI PKCS#11 sai dạng ở thuộc tính thứ {position} của {where[0]}",
                f"malformed PKCS#11 URI: attribute {position} of the {where[1]}"))
        pairs[name] = unquote_to_bytes(value)
    return pairs


@dataclass(frozen=True)
class TokenSigner:
    """A `client.certificates.CertificateSigner` whose key is on an open token session."""

    key: pkcs11.SignMixin
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    def sign(self, message: bytes) -> bytes:
        """See `CertificateSigner.sign`; the token computes it. Raises `TokenError`."""
        try:
            if isinstance(self.certificate.public_key(), rsa.RSAPublicKey):
                return bytes(self.key.sign(message, mechanism=Mechanism.SHA256_RSA_PKCS))
            pair = bytes(self.key.sign(hashlib.sha256(message).digest(),
                                       mechanism=Mechanism.ECDSA))
        except pkcs11.PKCS11Error as exc:
            raise TokenError(bilingual(f"token từ chối ký: {type(exc).__name__}",
                                       f"the token refused to sign: {type(exc).__name__}")) from exc
        half = len(pair) // 2  # CKM_ECDSA returns r ‖ s, each the size of the curve's order
        return encode_dss_signature(int.from_bytes(pair[:half], "big"),
                                    int.from_bytes(pair[half:], "big"))


@contextmanager
def open_token_signer(uri_text: str, *, module: str | None, pin_file: Path | None,
                      chain_file: Path | None = None) -> Iterator[TokenSigner]:
    """Log in to the token `uri_text` names and yield its signer; close the session on exit.

    `module` (else the URI's `module-path`, else `$INFRALEDGER_PKCS11_MODULE`) is the PKCS#11
    library; it stays loaded and initialised for the process (other signers may share it;
    C_Finalize runs at exit). The signer's certificate is the token's certificate with the
    key's label or id, else the first of `chain_file`; the chain is the rest of `chain_file`
    when given, else the token's certificates on the signer's issuer path. Before yielding, the
    token signs a probe that the certificate's public key must verify.

    Raises `TokenModuleNotFound`, `TokenNotFound`, `TokenPinRefused`, `TokenObjectNotFound`
    or `TokenKeyMismatch` (see each).
    """
    uri = parse_token_uri(uri_text)
    pin = _read_pin(pin_file)
    library = _load_module(module or uri.module_path or os.environ.get(MODULE_ENV))
    with _log_in(_find_token(library, uri), pin) as session:
        signer = _signer(session, uri, _read_chain(chain_file))
        _check_pair(signer, uri_text)
        yield signer


def _log_in(token: pkcs11.Token, pin: str) -> pkcs11.Session:
    """A session of `token` with the user logged in (PKCS#11 §5.6: the login is the
    application's, so a second session of a logged-in token needs none)."""
    label = token.label
    try:
        try:
            return token.open(user_pin=pin)
        except pkcs11.UserAlreadyLoggedIn:
            return token.open()
    except (pkcs11.PinIncorrect, pkcs11.PinInvalid, pkcs11.PinLenRange) as exc:
        raise TokenPinRefused(bilingual(f"token {label!r} từ chối mã PIN",
                                        f"token {label!r} refused the PIN")) from exc
    except pkcs11.PinLocked as exc:
        raise TokenPinRefused(bilingual(f"mã PIN của token {label!r} đã bị khóa",
                                        f"the PIN of token {label!r} is locked")) from exc
    except pkcs11.PKCS11Error as exc:
        fault = type(exc).__name__
        raise TokenNotFound(bilingual(f"không mở được token {label!r}: {fault}",
                                      f"cannot open token {label!r}: {fault}")) from exc


def _read_pin(pin_file: Path | None) -> str:
    if pin_file is None:
        raise TokenPinRefused(bilingual("token cần mã PIN: dùng --cert-pin-file FILE",
                                        "a token needs its PIN: give --cert-pin-file FILE"))
    try:
        return pin_file.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise TokenPinRefused(bilingual(f"không đọc được {pin_file}: {reason}",
                                        f"cannot read {pin_file}: {reason}")) from exc


def _read_chain(chain_file: Path | None) -> list[x509.Certificate] | None:
    if chain_file is None:
        return None
    try:
        certificates = x509.load_pem_x509_certificates(chain_file.read_bytes())
    except OSError as exc:
        raise TokenObjectNotFound(bilingual(f"không đọc được {chain_file}: {exc.strerror}",
                                            f"cannot read {chain_file}: {exc.strerror}")) from exc
    except ValueError as exc:
        raise TokenObjectNotFound(bilingual(f"{chain_file}: không phải chứng thư PEM",
                                            f"{chain_file}: not PEM certificates")) from exc
    return certificates


def _load_module(path: str | None) -> Module:
    if not path:
        raise TokenModuleNotFound(bilingual(f"chưa có module PKCS#11: dùng --pkcs11-module hoặc "
                                            f"đặt {MODULE_ENV}",
                                            f"no PKCS#11 module: give --pkcs11-module or set "
                                            f"{MODULE_ENV}"))
    if not Path(path).is_file():
        raise TokenModuleNotFound(bilingual(f"không có module PKCS#11 {path}",
                                            f"no PKCS#11 module at {path}"))
    try:
        return pkcs11.lib(path)
    except pkcs11.PKCS11Error as exc:
        raise TokenModuleNotFound(bilingual(f"{path} không phải module PKCS#11 dùng được",
                                            f"{path} is not a usable PKCS#11 module")) from exc


def _find_token(library: Module, uri: TokenUri) -> pkcs11.Token:
    named = " ".join(f"{name}={value}" for name, value in
                     (("token", uri.token), ("serial", uri.serial)) if value is not None) \
        or "(any)"
    serial = None if uri.serial is None else uri.serial.encode()
    try:
        return library.get_token(token_label=uri.token, token_serial=serial,
                                 token_flags=TokenFlag.TOKEN_INITIALIZED)
    except pkcs11.NoSuchToken as exc:
        raise TokenNotFound(bilingual(f"không có token {named} trong {library.so}",
                                      f"no token {named} in {library.so}")) from exc
    except pkcs11.MultipleTokensReturned as exc:
        raise TokenNotFound(bilingual(f"nhiều token khớp {named}: thêm token= hoặc serial=",
                                      f"several tokens match {named}: add token= or serial="))\
            from exc


def _object_attributes(uri: TokenUri, object_class: ObjectClass) -> dict[Attribute, object]:
    attributes: dict[Attribute, object] = {Attribute.CLASS: object_class}
    if uri.object is not None:
        attributes[Attribute.LABEL] = uri.object
    if uri.id is not None:
        attributes[Attribute.ID] = uri.id
    return attributes


def _signer(session: pkcs11.Session, uri: TokenUri,
            given_chain: Sequence[x509.Certificate] | None) -> TokenSigner:
    named = " ".join(f"{name}={value!r}" for name, value in
                     (("object", uri.object), ("id", uri.id)) if value is not None)
    keys = list(session.get_objects(_object_attributes(uri, ObjectClass.PRIVATE_KEY)))
    if len(keys) != 1:
        many = len(keys) > 1
        raise TokenObjectNotFound(bilingual(
            f"{'nhiều' if many else 'không có'} khóa bí mật {named} trên token",
            f"{'several private keys match' if many else 'no private key'} {named} on the token"))
    (key,) = keys
    if not isinstance(key, pkcs11.SignMixin):
        raise TokenKeyMismatch(bilingual(f"khóa {named} trên token không dùng để ký được",
                                         f"the token key {named} cannot sign"))
    labelled = _certificates(session, _object_attributes(uri, ObjectClass.CERTIFICATE))
    if labelled:
        certificate = labelled[0]
    elif given_chain:
        certificate = given_chain[0]
    else:
        raise TokenObjectNotFound(bilingual(
            f"không có chứng thư {named} trên token: dùng --cert-chain FILE.pem",
            f"no certificate {named} on the token: give --cert-chain FILE.pem"))
    if given_chain is not None:
        chain = tuple(c for c in given_chain if c != certificate)
    else:
        pool = _certificates(session, {Attribute.CLASS: ObjectClass.CERTIFICATE})
        chain = _issuer_path(certificate, pool)
    return TokenSigner(key, certificate, chain)


def _certificates(session: pkcs11.Session,
                  attributes: dict[Attribute, object]) -> list[x509.Certificate]:
    return [x509.load_der_x509_certificate(bytes(found[Attribute.VALUE]))
            for found in session.get_objects(attributes)]


def _issuer_path(certificate: x509.Certificate,
                 pool: Sequence[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    """The certificates of `pool` from `certificate`'s issuer upwards, each the issuer (by
    name) of the one before, stopping before a self-issued root or a missing link."""
    path: list[x509.Certificate] = []
    current = certificate
    for _ in pool:
        issuer = next((c for c in pool if c.subject == current.issuer and c != current), None)
        if issuer is None or issuer.subject == issuer.issuer or issuer in path:
            break
        path.append(issuer)
        current = issuer
    return tuple(path)


def _check_pair(signer: TokenSigner, uri_text: str) -> None:
    """Raise `TokenKeyMismatch` unless the token's key signs for the certificate."""
    public = signer.certificate.public_key()
    want = KeyType.RSA if isinstance(public, rsa.RSAPublicKey) else \
        KeyType.EC if isinstance(public, ec.EllipticCurvePublicKey) else None
    mismatch = TokenKeyMismatch(bilingual(
        f"khóa trên token {uri_text} không thuộc chứng thư "
        f"{signer.certificate.subject.rfc4514_string()}",
        f"the token key {uri_text} does not belong to the certificate "
        f"{signer.certificate.subject.rfc4514_string()}"))
    if want is None or signer.key.key_type != want:
        raise mismatch
    signature = signer.sign(PROBE)
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, PROBE, padding.PKCS1v15(), hashes.SHA256())
        else:
            assert isinstance(public, ec.EllipticCurvePublicKey)
            public.verify(signature, PROBE, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise mismatch from exc
