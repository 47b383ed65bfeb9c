"""A SoftHSM 2 token in a temporary directory, for the PKCS#11 signing tests and benchmark.

`SoftHsm(directory)` writes its own configuration (SOFTHSM2_CONF) with its own token
directory, so the tests never touch the machine's tokens; the caller puts `config` in the
environment before the module is initialised. Keys are imported with `softhsm2-util --import`
(a PKCS#8 file written for the moment and deleted), certificates created as CKO_CERTIFICATE
objects through python-pkcs11. `make install` installs Debian's softhsm2: a missing module
fails the tests with that hint instead of skipping them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Final

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pkcs11 import Attribute, CertificateType, ObjectClass

MODULES: Final = ("/usr/lib/softhsm/libsofthsm2.so",
                  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
SO_PIN: Final = "87654321"


def softhsm_module() -> str:
    """The SoftHSM 2 PKCS#11 module's path; fails the test when Debian's softhsm2 is absent."""
    found = next((path for path in MODULES if Path(path).is_file()), None)
    if found is None or shutil.which("softhsm2-util") is None:
        pytest.fail("SoftHSM 2 is not installed (no libsofthsm2.so or softhsm2-util): "
                    "`make install` installs Debian's softhsm2", pytrace=False)
    return found


class SoftHsm:
    """Tokens in `directory`; `config` is the SOFTHSM2_CONF to export."""

    def __init__(self, directory: Path) -> None:
        self.module = softhsm_module()
        tokens = directory / "tokens"
        tokens.mkdir(parents=True)
        self.config = directory / "softhsm2.conf"
        self.config.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
                               "log.level = ERROR\nslots.removable = false\n")
        self._scratch = directory

    def _util(self, *args: str) -> None:
        done = subprocess.run(["softhsm2-util", *args], capture_output=True, text=True,
                              check=False, env={"SOFTHSM2_CONF": str(self.config)})
        assert done.returncode == 0, done.stderr or done.stdout

    def init_token(self, label: str, pin: str) -> None:
        """A fresh token `label` with user PIN `pin` in the first free slot."""
        self._util("--init-token", "--free", "--label", label, "--so-pin", SO_PIN,
                   "--pin", pin)

    def import_key(self, token: str, pin: str, label: str, object_id: bytes,
                   key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> None:
        """Put `key` (and its public key) on `token` as `label`/`object_id`; the PKCS#8 file
        exists only while softhsm2-util reads it."""
        pem = self._scratch / f"{label}.p8"
        pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
        pem.chmod(0o600)
        try:
            self._util("--import", str(pem), "--token", token, "--label", label,
                       "--id", object_id.hex(), "--pin", pin)
        finally:
            pem.unlink()

    def add_certificate(self, token: str, pin: str, label: str, object_id: bytes,
                        certificate: x509.Certificate) -> None:
        """Store `certificate` on `token` as an X.509 certificate object `label`/`object_id`.

        Re-initialises the module first, so that it reads this `config` and sees the tokens and
        keys softhsm2-util made; no session of the module may be open then.
        """
        library = pkcs11.lib(self.module)
        library.reinitialize()
        with library.get_token(token_label=token).open(rw=True, user_pin=pin) as session:
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: object_id,
                Attribute.SUBJECT: certificate.subject.public_bytes(),
                Attribute.ISSUER: certificate.issuer.public_bytes(),
                Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER),
            })
